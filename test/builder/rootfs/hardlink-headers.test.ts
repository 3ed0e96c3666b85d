import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexTar } from '../../../src/builder/common/tar-index';
import { clearHardLinkTypeBits } from '../../../src/builder/rootfs/hardlink-headers';
import { tempDir, writeTar } from '../support/tar';

const LONG_DIR = `usr/${'d'.repeat(120)}`;

/** The mode field of the header of each entry, as the tar stores it. */
function storedModes(tar: string): Record<string, string> {
  const bytes = fs.readFileSync(tar);
  return Object.fromEntries(indexTar(tar).map(e => [e.path, bytes.toString('latin1', e.dataOffset - 512 + 100, e.dataOffset - 512 + 107)]));
}

describe('clearHardLinkTypeBits', () => {
  let tmp: ReturnType<typeof tempDir>;
  let tar: string;
  beforeEach(() => {
    tmp = tempDir();
    tar = path.join(tmp.dir, 'rootfs.tar');
  });
  afterEach(() => tmp.cleanup());

  test('gives hard-link headers written as Go writes them (type bits in mode) plain permission modes', () => {
    // GIVEN: Go's archive/tar (docker export) puts S_IFREG in every mode, a PAX path for long names
    writeTar(tar, [
      { path: 'usr/bin/perl', content: '#!perl\n', mode: 0o100755 },
      { path: 'usr/bin/perl5.36.0', type: 'hardlink', linkTarget: 'usr/bin/perl', mode: 0o100755 },
      { path: `${LONG_DIR}/uncompress`, type: 'hardlink', linkTarget: 'usr/bin/perl', mode: 0o104750 },
    ]);
    // WHEN
    const changed = clearHardLinkTypeBits(tar, indexTar(tar));
    // THEN: only the link headers change, and the tar still reads (checksums rewritten)
    expect(changed).toBe(2);
    expect(storedModes(tar)).toEqual({
      'usr/bin/perl': '0100755',
      'usr/bin/perl5.36.0': '0000755',
      [`${LONG_DIR}/uncompress`]: '0004750',
    });
    expect(indexTar(tar).map(e => [e.path, e.type, e.mode])).toEqual([
      ['usr/bin/perl', 'file', 0o755],
      ['usr/bin/perl5.36.0', 'hardlink', 0o755],
      [`${LONG_DIR}/uncompress`, 'hardlink', 0o4750],
    ]);
  });

  test('leaves the data and every other byte of the tar as it was', () => {
    // GIVEN
    const before = writeTar(tar, [
      { path: 'usr/bin/gunzip', content: Buffer.alloc(1500, 7), mode: 0o100755 },
      { path: 'usr/bin/uncompress', type: 'hardlink', linkTarget: 'usr/bin/gunzip', mode: 0o100755 },
    ]);
    // WHEN
    clearHardLinkTypeBits(tar, indexTar(tar));
    // THEN: only the mode (100..107) and checksum (148..155) of the link header differ
    const after = fs.readFileSync(tar);
    const linkHeader = indexTar(tar)[1].dataOffset - 512;
    const differing = [...after.keys()].filter(i => after[i] !== before[i]).map(i => i - linkHeader);
    expect(differing.length).toBeGreaterThan(0);
    expect(differing.every(i => (i >= 100 && i < 108) || (i >= 148 && i < 156))).toBe(true);
  });

  test('changes nothing in a tar written the GNU way (permission bits only)', () => {
    // GIVEN
    const before = writeTar(tar, [
      { path: 'bin/gzip', content: 'x', mode: 0o755 },
      { path: 'bin/gunzip', type: 'hardlink', linkTarget: 'bin/gzip', mode: 0o755 },
    ]);
    // WHEN
    const changed = clearHardLinkTypeBits(tar, indexTar(tar));
    // THEN
    expect(changed).toBe(0);
    expect(fs.readFileSync(tar).equals(before)).toBe(true);
  });
});
