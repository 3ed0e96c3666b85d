#!/bin/sh
# Shows at boot that this VM came from a Dockerfile and that / is writable.
if touch /.hello-rw-check 2>/dev/null && rm -f /.hello-rw-check; then rw=read-write; else rw=READ-ONLY; fi
echo "hello-vm: built from a Dockerfile by cdktf-docker-vm; kernel $(uname -r); / is $rw ($(findmnt -no OPTIONS /))"
