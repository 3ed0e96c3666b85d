import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { BuilderError } from '../common/errors';

const DESCRIPTOR_SEARCH_BYTES = 64 * 1024;

/**
 * qemu-img writes a random content id (`CID=xxxxxxxx`) into a VMDK's
 * descriptor; replaces it with one derived from the inputs (reproducible
 * images). Same length, so nothing else moves.
 */
export function fixVmdkCid(file: string, cidHex8: string): void {
  if (!/^[0-9a-f]{8}$/.test(cidHex8)) throw new BuilderError(`VMDK content id must be 8 hex digits, got ${cidHex8}; this is a bug, please report it`);
  const fd = openSync(file, 'r+');
  try {
    const buf = Buffer.alloc(DESCRIPTOR_SEARCH_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const m = /\nCID=([0-9a-f]{8})\n/.exec(buf.subarray(0, n).toString('latin1'));
    if (!m) throw new BuilderError(`no CID line in the VMDK descriptor of ${file}; this is a bug, please report it with the output of: qemu-img --version`);
    writeSync(fd, Buffer.from(cidHex8, 'latin1'), 0, 8, m.index + '\nCID='.length);
  } finally {
    closeSync(fd);
  }
}
