#!/usr/bin/env bash
# Runs integration test files while another load keeps every core busy, to prove the
# suite does not depend on an idle machine. Prints one wall time per round.
#   bash scripts/test-under-load.sh [--rounds N] [FILE.integ.ts ...]   (no files: the whole suite)
# The load is stress-ng's CPU workers (Debian package stress-ng, installed when missing, as root),
# one per core, stopped when this script exits however it exits.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=1
if [ "${1:-}" = --rounds ]; then rounds=$2; shift 2; fi

if ! command -v stress-ng >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "test-under-load: install stress-ng (apt-get install stress-ng) first" >&2; exit 3; }
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >&2
fi

npx projen compile >&2
bash scripts/setup-host.sh

stress-ng --cpu "$(nproc)" --timeout 4h --quiet &
load=$!
trap 'kill "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true' EXIT
echo "test-under-load: stress-ng --cpu $(nproc) running (pid $load)" >&2

status=0
for round in $(seq 1 "$rounds"); do
  started=$(date +%s)
  if npx jest --config jest.integ.json --runInBand --passWithNoTests=false "$@"; then result=green; else result=red; status=1; fi
  echo "test-under-load: round $round/$rounds $result in $(( $(date +%s) - started )) s (${*:-whole suite})"
done
exit "$status"
