import { closeSync, copyFileSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { extentsOf, parseFilefrag, sparseDigest, sparseDigestSync } from '../../../src/builder/common/sparse-digest';
import { tempDir } from '../support/tar';

const MIB = 1024 * 1024;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

/** A file of `size` bytes, all hole except `data` written at each offset. */
function sparseFile(name: string, size: number, data: ReadonlyArray<[number, Buffer]>): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, '');
  truncateSync(file, size);
  const fd = openSync(file, 'r+');
  for (const [at, bytes] of data) writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
  return file;
}

const DATA: ReadonlyArray<[number, Buffer]> = [[0, Buffer.from('boot sector')], [5 * MIB + 100, Buffer.alloc(3 * MIB, 7)], [40 * MIB - 1, Buffer.from('z')]];

describe('sparseDigest', () => {
  test('depends on the content only: holes and written zeros give the same value', async () => {
    // GIVEN the same bytes, once with holes and once written out in full
    const holes = sparseFile('holes.raw', 64 * MIB, DATA);
    const dense = path.join(tmp.dir, 'dense.raw');
    const all = Buffer.alloc(64 * MIB);
    for (const [at, bytes] of DATA) bytes.copy(all, at);
    writeFileSync(dense, all);
    // WHEN / THEN
    expect(await sparseDigest(holes)).toBe(await sparseDigest(dense));
    expect(sparseDigestSync(holes)).toBe(await sparseDigest(holes));
  });

  test('a byte written into a former hole changes it', async () => {
    // GIVEN
    const file = sparseFile('disk.raw', 64 * MIB, DATA);
    const before = await sparseDigest(file);
    // WHEN
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([1]), 0, 1, 50 * MIB);
    closeSync(fd);
    // THEN
    expect(await sparseDigest(file)).not.toBe(before);
  });

  test('the same data at another offset, or trailing zeros, give another value', async () => {
    const a = await sparseDigest(sparseFile('a.raw', 64 * MIB, DATA));
    const shifted = await sparseDigest(sparseFile('b.raw', 64 * MIB, DATA.map(([at, b]) => [at + MIB, b] as [number, Buffer])));
    const longer = await sparseDigest(sparseFile('c.raw', 65 * MIB, DATA));
    expect(new Set([a, shifted, longer]).size).toBe(3);
  });

  test('where the filesystem has no extent map (tmpfs) every block is read, and the value is the same', async () => {
    // GIVEN the same file on the test's filesystem and on tmpfs, where filefrag finds no FIEMAP
    const file = sparseFile('disk.raw', 64 * MIB, DATA);
    const shm = mkdtempSync('/dev/shm/cdvm-digest-');
    try {
      const onTmpfs = path.join(shm, 'disk.raw');
      copyFileSync(file, onTmpfs);
      // WHEN / THEN
      expect(extentsOf(onTmpfs)).toBeUndefined();
      expect(await sparseDigest(onTmpfs)).toBe(await sparseDigest(file));
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  });
});

describe('extentsOf', () => {
  test('covers every written byte of a sparse file and skips most of its holes', () => {
    // GIVEN
    const file = sparseFile('disk.raw', 64 * MIB, DATA);
    // WHEN
    const ranges = extentsOf(file);
    // THEN
    expect(ranges).toBeDefined();
    for (const [at, bytes] of DATA) expect(ranges!.some(([s, e]) => s <= at && at + bytes.length <= e)).toBe(true);
    expect(ranges!.reduce((sum, [s, e]) => sum + e - s, 0)).toBeLessThan(8 * MIB);
  });
});

describe('parseFilefrag', () => {
  test('reads logical block ranges of every row, whatever the flags', () => {
    const out = [
      'Filesystem type is: ef53',
      'File size of d.raw is 3221225472 (786432 blocks of 4096 bytes)',
      ' ext:     logical_offset:        physical_offset: length:   expected: flags:',
      '   0:        0..       0:   38594560..  38594560:      1:            ',
      '   1:      256..     324:   38594816..  38594884:     69:   38594561: unwritten',
      '  28:   786416..  786431:   38568464..  38568479:     16:   38797623: last,unwritten,eof',
      'd.raw: 3 extents found',
    ].join('\n');
    expect(parseFilefrag(out)).toEqual([[0, 4096], [256 * 4096, 325 * 4096], [786416 * 4096, 786432 * 4096]]);
  });

  test('a file that is all hole has no ranges; output without a header is not trusted', () => {
    expect(parseFilefrag('Filesystem type is: ef53\nFile size of h is 1073741824 (262144 blocks of 4096 bytes)\nh: 0 extents found\n')).toEqual([]);
    expect(parseFilefrag('x: FIBMAP/FIEMAP unsupported\n')).toBeUndefined();
  });
});
