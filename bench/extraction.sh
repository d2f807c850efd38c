#!/usr/bin/env bash
# Code extraction speed: the mean time to read one SMS of the labelled corpus, next to the
# floor of any extractor measured in the same run (a bare regular-expression scan for runs of
# 4-8 digits over the same texts), and the ratio between them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"
"${MVN[@]}" -q -DskipTests package -pl server -am >/dev/null
echo "extraction: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
"$JAVA_HOME/bin/java" -cp server/target/ohmyotp-server.jar com.ohmyotp.sms.ExtractionReport corpus/sms \
  | grep -E '^(speed|exact-code|false codes)'
