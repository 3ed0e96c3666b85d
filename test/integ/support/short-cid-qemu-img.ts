import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { findTool } from '../../../src/builder/common/tools';

/**
 * Puts a `qemu-img` on a PATH that runs the real one, then rewrites the content
 * id of any VMDK it wrote to `cid` (shifting the rest of the descriptor text
 * inside its NUL-padded region), as qemu-img itself does about one time in 16.
 * Returns the directory to put first on PATH.
 */
export function shortCidQemuImgShim(dir: string, cid: string): string {
  const real = findTool('qemu-img');
  if (!real) throw new Error('qemu-img not found on PATH; install it with: apt-get install qemu-utils');
  mkdirSync(dir, { recursive: true });
  const script = `#!${process.execPath}
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const args = process.argv.slice(2);
const r = spawnSync(${JSON.stringify(real)}, args, { stdio: 'inherit' });
const out = args[args.length - 1];
if (r.status === 0 && args[0] === 'convert' && out.endsWith('.vmdk')) {
  const bytes = fs.readFileSync(out);
  const start = Number(bytes.readBigUInt64LE(28)) * 512, size = Number(bytes.readBigUInt64LE(36)) * 512;
  const region = bytes.subarray(start, start + size);
  const text = region.toString('latin1', 0, region.indexOf(0)).replace(/\\nCID=[0-9a-f]+\\n/, '\\nCID=${cid}\\n');
  region.fill(0);
  region.write(text, 'latin1');
  fs.writeFileSync(out, bytes);
}
process.exit(r.status === null ? 1 : r.status);
`;
  const shim = path.join(dir, 'qemu-img');
  writeFileSync(shim, script);
  chmodSync(shim, 0o755);
  return dir;
}
