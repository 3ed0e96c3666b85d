import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyRangeToFile } from '../../../src/builder/common/copy-range';

describe('copyRangeToFile', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'copy-range-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('GIVEN a range across several chunks THEN the new file holds exactly those bytes, with the mode asked', () => {
    // GIVEN
    const src = path.join(dir, 'src');
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
    writeFileSync(src, data);
    const fd = openSync(src, 'r');
    // WHEN
    try {
      copyRangeToFile(fd, 1234, 5000, path.join(dir, 'out'), at => new Error(`short at ${at}`), 0o600, Buffer.alloc(1000));
    } finally {
      closeSync(fd);
    }
    // THEN
    expect(readFileSync(path.join(dir, 'out')).equals(data.subarray(1234, 6234))).toBe(true);
    expect(statSync(path.join(dir, 'out')).mode & 0o777).toBe(0o600);
  });

  test('fails with the caller\'s error, naming the byte where the input ended', () => {
    const src = path.join(dir, 'src');
    writeFileSync(src, Buffer.alloc(100));
    const fd = openSync(src, 'r');
    try {
      expect(() => copyRangeToFile(fd, 50, 100, path.join(dir, 'out'), at => new Error(`short at ${at}`))).toThrow('short at 100');
    } finally {
      closeSync(fd);
    }
  });
});
