#!/usr/bin/env bash
# bench/footprint.sh [MESSAGES]: the heap one waiting message costs a node (the replicated index in the
# core plus the message store's index), measured on the real classes by bench/IndexFootprint.java.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/deploy/lib/find-jdk.sh"
if [ ! -f "$root/node/target/lib/warren-raft-0.1.0-SNAPSHOT.jar" ]; then
  (cd "$root" && mvn -B -q -ntp -DskipTests package)
fi
exec "$JAVA_HOME/bin/java" -Xmx2g -XX:+UseSerialGC -cp "$root/node/target/lib/*" "$root/bench/IndexFootprint.java" "${1:-1000000}"
