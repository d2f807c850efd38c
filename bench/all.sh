#!/usr/bin/env bash
# Every benchmark, one after the other (about twenty minutes on 2 cores; the scale
# scenario takes the longest). Results go into BENCHMARKS.md by hand, with this output.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./extraction.sh
./footprint.sh
./gc.sh
./poll.sh h2
./poll.sh postgres
./sms-latency.sh
./rent-cancel.sh
./scale.sh
