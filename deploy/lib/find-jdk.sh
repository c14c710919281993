#!/usr/bin/env bash
# Sourced by Warren's scripts: sets JAVA_HOME to a JDK of version 21 or newer.
# Looks at $JAVA_HOME, then every JDK under /usr/lib/jvm, newest first. Fails with a clear message.

warren_jdk_version() {
  # Prints the feature version of the JDK at $1 (e.g. 25), or nothing when $1 is no JDK.
  local home=$1
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  "$home/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

warren_find_jdk() {
  local wanted=21 candidate version best="" best_version=0
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    version=$(warren_jdk_version "$candidate")
    [ -n "$version" ] || continue
    if [ "$version" -ge "$wanted" ] && [ "$version" -gt "$best_version" ]; then
      best=$candidate
      best_version=$version
    fi
  done
  if [ -z "$best" ]; then
    echo "warren: no JDK $wanted or newer found (looked at JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm/*)." >&2
    echo "warren: install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 25, or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}

warren_find_jdk
