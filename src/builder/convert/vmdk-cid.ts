import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { readDescriptorRegion } from './vmdk-descriptor';
import { BuilderError } from '../common/errors';

/** qemu-img writes `%x`, unpadded: 1 to 8 digits. */
const CID_LINE = /\nCID=[0-9a-f]{1,8}\n/;

/**
 * qemu-img writes a random content id (`CID=...`) into a VMDK's descriptor;
 * replaces it with one derived from the inputs (reproducible images). The
 * text after the CID line may move by up to 7 bytes, inside the descriptor's
 * NUL-padded region; the region itself keeps its offset and size.
 */
export function fixVmdkCid(file: string, cidHex8: string): void {
  if (!/^[0-9a-f]{8}$/.test(cidHex8)) throw new BuilderError(`VMDK content id must be 8 hex digits, got ${cidHex8}; this is a bug, please report it`);
  const fd = openSync(file, 'r+');
  try {
    const region = readDescriptorRegion(fd);
    if (!region) throw new BuilderError(`${file} is not a sparse VMDK with an embedded descriptor; this is a bug, please report it with the output of: qemu-img --version`);
    const buf = Buffer.alloc(region.bytes);
    const n = readSync(fd, buf, 0, buf.length, region.offset);
    const nul = buf.subarray(0, n).indexOf(0);
    const text = buf.toString('latin1', 0, nul < 0 ? n : nul);
    const room = n; // the region, or as much of it as the file holds
    const m = CID_LINE.exec(text);
    if (!m) throw new BuilderError(`no CID line in the VMDK descriptor of ${file}; this is a bug, please report it with the output of: qemu-img --version`);
    const fixed = text.slice(0, m.index) + `\nCID=${cidHex8}\n` + text.slice(m.index + m[0].length);
    // At least one NUL must stay after the text: readers stop there.
    if (fixed.length >= room) throw new BuilderError(`the VMDK descriptor of ${file} has no room for an 8-digit content id (${fixed.length} bytes of text in a ${room}-byte region); this is a bug, please report it with the output of: qemu-img --version`);
    const out = Buffer.alloc(room);
    out.write(fixed, 'latin1');
    writeSync(fd, out, 0, out.length, region.offset);
  } finally {
    closeSync(fd);
  }
}
