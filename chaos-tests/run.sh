#!/usr/bin/env bash
# chaos-tests/run.sh [--duration SECONDS] [--nemesis LIST|all] [--seed N] [--backlog N] [--node-flag --name=value]
#                    [--raft-tls true]   (Raft between nodes inside mutual TLS, throw-away authority per run)
# Starts a three-node Warren cluster (each node in its own network namespace when run as root, else on
# loopback with kill and pause only, said loudly), runs publishers and consumers with the RabbitMQ Java
# client, applies the nemeses (default: all of them, each at least once), heals, drains, checks, and
# writes chaos-tests/target/runs/<time>/ with history.jsonl, summary.json, report.html and node logs.
# Nemeses: kill-random kill-leader kill-all pause-random pause-leader partition-one partition-leader
#          partition-bridge packet-loss delay torn-write disk-full membership. Exit code 0 when the run is valid (no loss, nothing unexpected).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/deploy/lib/find-jdk.sh"
. "$root/deploy/lib/install-packages.sh"
if [ "$(id -u)" -eq 0 ]; then warren_install_packages iptables iproute2; fi
jar="$root/node/target/warren-node-0.1.0-SNAPSHOT.jar"
if [ ! -f "$jar" ] || [ ! -d "$root/chaos-tests/target/lib" ] || [ ! -d "$root/chaos-tests/target/classes" ] \
    || [ -n "$(find "$root" -path "$root/data" -prune -o \( -name pom.xml -o -path '*/src/main/*' \) -newer "$jar" -print -quit)" ]; then
  echo "chaos: building ..."
  (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+IgnoreUnrecognizedVMOptions --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" \
    mvn -B -q -ntp -DskipTests package) || { echo "chaos: build failed" >&2; exit 1; }
fi
cd "$root"
exec "$JAVA_HOME/bin/java" -Xmx512m -XX:+UseSerialGC \
  -cp "$root/chaos-tests/target/classes:$root/chaos-tests/target/lib/*" io.warren.chaos.ChaosRun \
  --distribution "$root/node/target" --out "$root/chaos-tests/target/runs" "$@"
