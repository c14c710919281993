#!/usr/bin/env bash
# Runs every Warren test: unit, codec fuzz, real-client (RabbitMQ Java client and Debian's pika),
# node-process clusters, and the chaos tests (network namespaces and iptables: run as root).
# Installs what the tests need (Debian packages), finds a JDK 21+, builds with Maven, and fails if
# Netty's leak detector reported a leak anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib/find-jdk.sh
. deploy/lib/install-packages.sh
warren_install_packages python3-pika iptables iproute2
echo "warren: testing with JAVA_HOME=$JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1))"

export MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+IgnoreUnrecognizedVMOptions --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
status=0
mvn -B -ntp verify "$@" || status=$?

# Netty reports leaks through its logger; surefire keeps each test class's output in a file.
if grep -rl "LEAK:" --include='*-output.txt' . 2>/dev/null | grep -q .; then
  echo "warren: Netty reported a buffer leak in:" >&2
  grep -rl "LEAK:" --include='*-output.txt' . >&2
  status=1
fi
exit $status
