#!/usr/bin/env bash
# Throw-away certificates for trying and testing TLS (openssl, EC P-256, PEM files as Warren and RabbitMQ
# take them). Not for production: the authority's key sits unencrypted beside what it signed.
#   make-certs.sh ca DIR [COMMON_NAME]            DIR/ca.pem, DIR/ca.key: a new authority
#   make-certs.sh cert DIR NAME SUBJECT [SANS] [DAYS]
#                                                 DIR/NAME.pem, DIR/NAME.key, signed by DIR/ca.*; SUBJECT as
#                                                 openssl takes it (/O=warren/CN=n1), SANS as
#                                                 IP:127.0.0.1,DNS:localhost; DAYS may be negative (expired)
#   make-certs.sh cluster DIR COUNT [SANS]        an authority, n1..nCOUNT (server and client use, for AMQPS
#                                                 and for Raft between nodes) and "client" (/O=warren/CN=client)
set -euo pipefail

days_default=825
sans_default="IP:127.0.0.1,DNS:localhost"

new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  chmod 600 "$1"
}

make_ca() {
  local dir=$1 cn=${2:-Warren throw-away CA}
  mkdir -p "$dir"
  new_key "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -subj "/O=warren/CN=$cn" -days 3650 -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

make_cert() {
  local dir=$1 name=$2 subject=$3 sans=${4:-$sans_default} days=${5:-$days_default}
  if [ ! -f "$dir/ca.pem" ] || [ ! -f "$dir/ca.key" ]; then
    echo "make-certs: no authority in $dir (run: ca $dir)" >&2
    exit 2
  fi
  new_key "$dir/$name.key"
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } > "$ext"
  openssl req -new -key "$dir/$name.key" -subj "$subject" 2>/dev/null \
    | openssl x509 -req -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days "$days" \
        -extfile "$ext" -out "$dir/$name.pem" 2>/dev/null
  rm -f "$ext"
}

case "${1:-}" in
  ca) make_ca "$2" "${3:-}" ;;
  cert) make_cert "$2" "$3" "$4" "${5:-}" "${6:-}" ;;
  cluster)
    dir=$2 count=$3 sans=${4:-$sans_default}
    make_ca "$dir"
    for i in $(seq 1 "$count"); do make_cert "$dir" "n$i" "/O=warren/CN=n$i" "$sans"; done
    make_cert "$dir" client "/O=warren/CN=client" "" ;;
  *) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac
