import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixVmdkCid } from '../../../src/builder/convert/vmdk-cid';
import { tempDir } from '../support/tar';

describe('fixVmdkCid', () => {
  const tmp = tempDir('vmdk-cid-test-');
  afterAll(() => tmp.cleanup());

  test('replaces the random content id in the descriptor and nothing else', () => {
    // GIVEN a descriptor as qemu-img writes it, after a binary header
    const file = path.join(tmp.dir, 'a.vmdk');
    const header = Buffer.alloc(512, 7);
    const descriptor = '# Disk DescriptorFile\nversion=1\nCID=3b2a1f09\nparentCID=ffffffff\ncreateType="monolithicSparse"\n';
    writeFileSync(file, Buffer.concat([header, Buffer.from(descriptor)]));
    // WHEN
    fixVmdkCid(file, '0011aabb');
    // THEN
    const after = readFileSync(file);
    expect(after.subarray(0, 512)).toEqual(header);
    expect(after.subarray(512).toString()).toBe(descriptor.replace('CID=3b2a1f09', 'CID=0011aabb'));
  });

  test('fails when the file has no CID line', () => {
    const file = path.join(tmp.dir, 'b.vmdk');
    writeFileSync(file, 'not a vmdk');
    expect(() => fixVmdkCid(file, '0011aabb')).toThrow(/no CID line in the VMDK descriptor/);
  });
});
