# Shared set-up for ./ohmyotp and the scripts: a JDK >= 21 and Maven on PATH.
# Sourced, not run.

die() { echo "ohmyotp: $*" >&2; exit 1; }

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

# A JDK >= 21: JAVA_HOME first, then the newest suitable one in the system's JDK folder.
find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    local v; v=$(java_major "$JAVA_HOME/bin/java")
    if [ "${v:-0}" -ge 21 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  local best="" best_v=0 dir v
  for dir in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$dir/bin/javac" ] || continue
    v=$(java_major "$dir/bin/java")
    if [ "${v:-0}" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$dir"; best_v="$v"; fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  if command -v javac >/dev/null 2>&1; then
    dir="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    v=$(java_major "$dir/bin/java")
    if [ "${v:-0}" -ge 21 ]; then echo "$dir"; return 0; fi
  fi
  return 1
}

JDK="$(find_jdk)" || die "needs a JDK 21 or newer, and found none (JAVA_HOME, /usr/lib/jvm).
  Install one, e.g. on Debian/Ubuntu: sudo apt-get install openjdk-21-jdk-headless (or temurin-21-jdk),
  then run this again (or point JAVA_HOME at it)."
export JAVA_HOME="$JDK"
export PATH="$JAVA_HOME/bin:$PATH"

command -v mvn >/dev/null 2>&1 || die "needs Apache Maven 3.8 or newer: sudo apt-get install maven"
export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+IgnoreUnrecognizedVMOptions"
MVN=(mvn -B -Dstyle.color=never)

# JVM options the server runs with unless OHMYOTP_JAVA_OPTS says otherwise. The parallel
# collector: on a small heap and a few cores it costs less per request than the default G1 and
# pauses for less (BENCHMARKS.md, "Choice of garbage collector").
OHMYOTP_JVM_DEFAULTS="${OHMYOTP_JVM_DEFAULTS:--XX:+UseParallelGC}"

# A class data archive beside the jar: the first start records the classes it loads, later starts
# map them instead of loading them again (about a third less time to /readyz; BENCHMARKS.md,
# "Footprint"). The JVM rebuilds the archive by itself when the jar or the JDK changes.
class_archive_opts() { # class_archive_opts JAR
  # Its warnings (classes it leaves out) say nothing an operator can act on.
  echo "-XX:SharedArchiveFile=${1%.jar}.jsa -XX:+AutoCreateSharedArchive -Xlog:cds*=off"
}
