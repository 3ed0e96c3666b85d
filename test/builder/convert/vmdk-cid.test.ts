import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixVmdkCid } from '../../../src/builder/convert/vmdk-cid';
import { tempDir } from '../support/tar';

const REGION = { offset: 512, bytes: 20 * 512 }; // what qemu-img 7.2 writes for monolithicSparse

function qemuImg(...args: string[]): string {
  const r = spawnSync('qemu-img', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`qemu-img ${args.join(' ')} failed (install qemu-utils): ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

/** A real monolithicSparse VMDK from qemu-img, with its CID line edited to `cid`, shifting the rest of the text. */
function vmdkWithCid(dir: string, name: string, cid: string): string {
  const raw = path.join(dir, `${name}.img`);
  const file = path.join(dir, `${name}.vmdk`);
  writeFileSync(raw, Buffer.alloc(1024 * 1024));
  qemuImg('convert', '-q', '-f', 'raw', '-O', 'vmdk', raw, file);
  const bytes = readFileSync(file);
  const text = descriptorText(bytes).replace(/\nCID=[0-9a-f]+\n/, `\nCID=${cid}\n`);
  const region = Buffer.alloc(REGION.bytes);
  region.write(text, 'latin1');
  region.copy(bytes, REGION.offset);
  writeFileSync(file, bytes);
  return file;
}

function descriptorText(bytes: Buffer): string {
  const region = bytes.subarray(REGION.offset, REGION.offset + REGION.bytes);
  return region.toString('latin1', 0, region.indexOf(0));
}

describe('fixVmdkCid', () => {
  const tmp = tempDir('vmdk-cid-test-');
  afterAll(() => tmp.cleanup());

  test.each(['1', '1a', 'abc', '1234', 'fedcb', '10ab0c', '7ffffff', 'fd561698'])(
    'replaces a content id of %s with the derived one, moving only the text after it',
    (cid) => {
      // GIVEN a qemu-img VMDK whose random content id has this many digits
      const file = vmdkWithCid(tmp.dir, `cid-${cid}`, cid);
      const before = readFileSync(file);
      // WHEN
      fixVmdkCid(file, '0011aabb');
      // THEN the descriptor text differs only in the CID line, still NUL-padded to its region
      const after = readFileSync(file);
      expect(after.length).toBe(before.length);
      expect(descriptorText(after)).toBe(descriptorText(before).replace(`\nCID=${cid}\n`, '\nCID=0011aabb\n'));
      const textEnd = REGION.offset + descriptorText(after).length;
      expect(after.subarray(textEnd, REGION.offset + REGION.bytes)).toEqual(Buffer.alloc(REGION.offset + REGION.bytes - textEnd));
      // and every byte outside the region is unchanged
      expect(after.subarray(0, REGION.offset)).toEqual(before.subarray(0, REGION.offset));
      expect(after.subarray(REGION.offset + REGION.bytes)).toEqual(before.subarray(REGION.offset + REGION.bytes));
      // and qemu-img reads it as a sound image with the new content id
      expect(qemuImg('check', '-f', 'vmdk', file)).toMatch(/No errors were found/);
      expect(JSON.parse(qemuImg('info', '--output=json', '-f', 'vmdk', file))).toMatchObject({ 'format': 'vmdk', 'virtual-size': 1024 * 1024 });
    },
  );

  test('fails when the file is not a sparse VMDK', () => {
    const file = path.join(tmp.dir, 'b.vmdk');
    writeFileSync(file, 'not a vmdk');
    expect(() => fixVmdkCid(file, '0011aabb')).toThrow(/is not a sparse VMDK with an embedded descriptor/);
  });

  test('fails when the descriptor has no CID line', () => {
    // GIVEN a real VMDK whose CID line is gone
    const file = vmdkWithCid(tmp.dir, 'no-cid', 'x');
    // WHEN/THEN
    expect(() => fixVmdkCid(file, '0011aabb')).toThrow(/no CID line in the VMDK descriptor/);
  });

  test('fails when the descriptor region has no room for 8 digits, and leaves the file as it was', () => {
    // GIVEN a descriptor that fills its region up to one NUL
    const file = vmdkWithCid(tmp.dir, 'full', '1');
    const bytes = readFileSync(file);
    const text = descriptorText(bytes);
    bytes.write('#'.repeat(REGION.bytes - 1 - text.length), REGION.offset + text.length, 'latin1');
    writeFileSync(file, bytes);
    // WHEN/THEN
    expect(() => fixVmdkCid(file, '0011aabb')).toThrow(/has no room for an 8-digit content id/);
    expect(readFileSync(file)).toEqual(bytes);
  });
});
