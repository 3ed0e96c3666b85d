#!/usr/bin/env bash
# npm run demo: examples/hello-vm/Dockerfile -> qcow2 -> QEMU boot to the login prompt.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/demo/hello-vm.qcow2
mkdir -p .cache/demo
echo "demo: building examples/hello-vm/Dockerfile -> $out" >&2
node bin/cdktf-docker-vm build --dockerfile examples/hello-vm/Dockerfile --output "$out" 2> >(tee .cache/demo/build.log >&2)
echo "demo: booting $out in QEMU (serial console below; stops at the login prompt)" >&2
node bin/cdktf-docker-vm boot "$out" --timeout 300 >/dev/null
echo >&2
echo "demo: build summary" >&2
sed -n '/^stage /,$p' .cache/demo/build.log >&2
