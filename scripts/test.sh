#!/usr/bin/env bash
# The whole test suite, as CI runs it: unit tests and the HTTP integration tests against real
# servers on the embedded database. Installs the few command-line tools the tests drive (curl,
# jq) when they are missing and this is a Debian machine we may install on.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
. "$ROOT/scripts/env.sh"

missing=()
for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ohmyotp: installing ${missing[*]} for the tests" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "the tests need: ${missing[*]} (sudo apt-get install ${missing[*]})"
  fi
fi

exec "${MVN[@]}" verify "$@"
