#!/usr/bin/env bash
# Code extraction speed: the mean time to read one SMS of the labelled corpus, next to the
# floor of any extractor measured in the same run (a bare regular-expression scan for runs of
# 4-8 digits over the same texts), and the ratio between them.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
echo "extraction: $(machine)"
"$JAVA_HOME/bin/java" -cp server/target/ohmyotp-server.jar com.ohmyotp.sms.ExtractionReport corpus/sms \
  | grep -E '^(speed|exact-code|false codes)'
