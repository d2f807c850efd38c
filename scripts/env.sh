# Shared set-up for ./ohmyotp and the scripts: a JDK >= 21 and Maven on PATH.
# Sourced, not run.

die() { echo "ohmyotp: $*" >&2; exit 1; }

java_major() { # java_major JAVA_BINARY
  # The JDK's release file says it without starting a JVM (a quarter of a second each);
  # asking the JVM is the fallback for a JDK without one.
  local release; release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ] && grep -q '^JAVA_VERSION=' "$release"; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
  else
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
  fi
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
# Plain text for log files: batch mode and no colour, and jansi.noreset, without which Maven 3.8's
# console library still writes a colour reset (ESC[0m) as it stops, whatever the colour setting.
export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+IgnoreUnrecognizedVMOptions -Djansi.noreset=true"
MVN=(mvn -B -Dstyle.color=never)

# True when the jar is missing or any of the given sources, or the root pom, is newer than it.
stale() { # stale JAR SOURCE...
  local jar="$1"; shift
  [ -f "$jar" ] || return 0
  [ -n "$(find "$@" pom.xml -newer "$jar" -type f -print -quit 2>/dev/null)" ]
}

# JVM options the server runs with unless OHMYOTP_JAVA_OPTS says otherwise. The parallel
# collector: on a small heap and a few cores it costs less per request than the default G1 and
# pauses for less (BENCHMARKS.md, "Choice of garbage collector").
OHMYOTP_JVM_DEFAULTS="${OHMYOTP_JVM_DEFAULTS:--XX:+UseParallelGC}"

# Classes the server loads at start, kept beside the jar so that later starts map them instead of
# loading them again: an ahead-of-time cache on JDK 25 and newer (what the first start of a build
# loads and links, and how its methods ran; written when that start stops, which then takes a few
# seconds longer), a class data archive on JDK 21 to 24. The JVM only ignores a file made by
# another JDK, from another jar or with other options, so the name carries all three; files of
# older builds are removed.
# BENCHMARKS.md, "Footprint": 4.1 s to /readyz without either, 2.5 s with the archive, 1.8 s with the cache.
class_archive_opts() { # class_archive_opts JAR [JVM OPTION...]
  local jar="$1" version kind build file
  shift
  version="$(sed -n 's/^JAVA_VERSION="\([^"]*\)"$/\1/p' "$JAVA_HOME/release" 2>/dev/null)"
  if [ "${version%%.*}" -ge 25 ] 2>/dev/null; then kind=aot; else kind=jsa; fi
  build="${jar%.jar}-jdk${version:-unknown}-$(date -r "$jar" +%s)"
  file="$build-$(printf '%s ' "$@" | cksum | cut -d' ' -f1).$kind"
  for old in "${jar%.jar}"-jdk*.$kind; do
    case "$old" in "$build"-*) ;; *) rm -f "$old" ;; esac
  done
  # Their notes (classes left out, a cache being written) say nothing an operator can act on.
  if [ "$kind" = jsa ]; then
    echo "-XX:SharedArchiveFile=$file -XX:+AutoCreateSharedArchive -Xlog:cds*=off"
  elif [ -f "$file" ]; then
    echo "-XX:AOTCache=$file -Xlog:aot*=off,cds*=off"
  else
    echo "-XX:AOTCacheOutput=$file -Xlog:aot*=off,cds*=off"
  fi
}
