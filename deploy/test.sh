#!/usr/bin/env bash
# Runs every Warren test: unit, codec fuzz, real-client (RabbitMQ Java client and Debian's pika),
# node-process clusters, and the chaos tests (network namespaces and iptables: run as root); then the
# reference pass: the client tests of RabbitMQ features (JUnit tag "reference") once more against
# Debian's RabbitMQ 3.10, so their expectations are RabbitMQ's. `deploy/test.sh --reference` runs only
# that pass (the switch is WARREN_REFERENCE=rabbitmq).
# Installs what the tests need (Debian packages), finds a JDK 21+, builds with Maven, and fails if
# Netty's leak detector reported a leak anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib/find-jdk.sh
. deploy/lib/install-packages.sh
reference_only=""
if [ "${1:-}" = "--reference" ]; then reference_only=1; shift; fi
warren_install_packages python3-pika python3-celery python3-prometheus-client iptables iproute2 rabbitmq-server \
  chromium chromium-driver fonts-liberation
# Debian starts its own rabbitmq-server service on install: its port 5672 is node 1's in the
# local-cluster tests, and the reference pass starts RabbitMQ nodes of its own.
if command -v service >/dev/null && service rabbitmq-server status >/dev/null 2>&1; then
  service rabbitmq-server stop >/dev/null || true
fi
echo "warren: testing with JAVA_HOME=$JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1))"

export MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+IgnoreUnrecognizedVMOptions --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
status=0
if [ -z "$reference_only" ]; then
  mvn -B -ntp verify "$@" || status=$?
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "warren: reference pass: tests tagged 'reference' against Debian's RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server)"
  WARREN_REFERENCE=rabbitmq mvn -B -ntp verify -pl node -am -Dgroups=reference -DskipITs \
    -Dsurefire.failIfNoSpecifiedTests=false "$@" || status=$?
else
  echo "warren: reference pass SKIPPED: it runs RabbitMQ as the rabbitmq user, which needs root"
fi

# Netty reports leaks through its logger; surefire keeps each test class's output in a file.
if grep -rl "LEAK:" --include='*-output.txt' . 2>/dev/null | grep -q .; then
  echo "warren: Netty reported a buffer leak in:" >&2
  grep -rl "LEAK:" --include='*-output.txt' . >&2
  status=1
fi
exit $status
