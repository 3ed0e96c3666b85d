import { mergeRuns, parseDebugfsStat } from '../../../src/builder/bootloader/shadowed-copies';

/** The shape of debugfs 1.47's `stat` output for a regular file (times shortened). */
const STAT = (links: number, extents: string) => [
  'Inode: 5123   Type: regular    Mode:  0644   Flags: 0x80000',
  'Generation: 0    Version: 0x00000000:00000000',
  'User:     0   Group:     0   Project:     0   Size: 9000000',
  'File ACL: 0',
  `Links: ${links}   Blockcount: 17592`,
  'Fragment:  Address: 0    Number: 0    Size: 0',
  'Inode checksum: 0xc21df902',
  'EXTENTS:',
  extents,
  '',
].join('\n');

describe('parseDebugfsStat', () => {
  test('reads the link count and the data runs, ranges and single blocks, leaving out index blocks', () => {
    // WHEN
    const facts = parseDebugfsStat(STAT(1, '(ETB0):33280, (0-2047):34816-36863, (2048):40000, (2049-2197):40960-41108'));
    // THEN
    expect(facts).toEqual({ regular: true, links: 1, runs: [[34816, 2048], [40000, 1], [40960, 149]] });
  });

  test('a hard-linked file says so (the caller keeps it)', () => {
    expect(parseDebugfsStat(STAT(2, '(0-2197):2327-4524'))?.links).toBe(2);
  });

  test('a symlink is not regular', () => {
    expect(parseDebugfsStat(STAT(1, '').replace('Type: regular', 'Type: symlink'))?.regular).toBe(false);
  });

  test('no inode in the output (a missing file: debugfs writes the error to stderr) is undefined', () => {
    expect(parseDebugfsStat('')).toBeUndefined();
  });
});

describe('mergeRuns', () => {
  test('joins adjacent and overlapping runs, in block order', () => {
    expect(mergeRuns([[100, 10], [50, 5], [110, 5], [112, 10], [200, 1]])).toEqual([[50, 5], [100, 22], [200, 1]]);
  });

  test('keeps runs with a gap apart', () => {
    expect(mergeRuns([[1, 1], [3, 1]])).toEqual([[1, 1], [3, 1]]);
  });
});
