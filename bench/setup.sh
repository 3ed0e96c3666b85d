#!/usr/bin/env bash
# Tools only the bench needs: the baseline route's extlinux, GNU time for peak memory.
set -euo pipefail
need=()
command -v extlinux >/dev/null || need+=(extlinux)
[ -x /usr/bin/time ] || need+=(time)
[ ${#need[@]} -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] || { echo "bench: install ${need[*]} (apt-get install ${need[*]})" >&2; exit 3; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
