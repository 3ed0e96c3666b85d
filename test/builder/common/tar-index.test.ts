import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuilderError } from '../../../src/builder/common/errors';
import { indexTar, normalizeTarPath } from '../../../src/builder/common/tar-index';
import { tempDir, writeTar } from '../support/tar';

describe('indexTar', () => {
  let tmp: ReturnType<typeof tempDir>;
  let tar: string;
  beforeEach(() => {
    tmp = tempDir();
    tar = path.join(tmp.dir, 'rootfs.tar');
  });
  afterEach(() => tmp.cleanup());

  test('lists each entry with its type, size, mode, link target and mtime', () => {
    // GIVEN
    writeTar(tar, [
      { path: './etc', type: 'dir', mtime: 100 },
      { path: './etc/hostname', content: 'vm\n', mode: 0o600, mtime: 200 },
      { path: './etc/alias', type: 'symlink', linkTarget: 'hostname' },
      { path: './etc/hard', type: 'hardlink', linkTarget: './etc/hostname' },
    ]);
    // WHEN
    const entries = indexTar(tar);
    // THEN
    expect(entries.map(({ dataOffset: _d, ...rest }) => rest)).toEqual([
      { path: 'etc', type: 'dir', size: 0, mode: 0o755, linkTarget: '', mtime: 100 },
      { path: 'etc/hostname', type: 'file', size: 3, mode: 0o600, linkTarget: '', mtime: 200 },
      { path: 'etc/alias', type: 'symlink', size: 0, mode: 0o644, linkTarget: 'hostname', mtime: 1_700_000_000 },
      { path: 'etc/hard', type: 'hardlink', size: 0, mode: 0o644, linkTarget: './etc/hostname', mtime: 1_700_000_000 },
    ]);
  });

  test('points dataOffset at the bytes of each file', () => {
    // GIVEN: a first file longer than one block, so the second starts at block 4
    const big = Buffer.alloc(700, 'x');
    writeTar(tar, [{ path: 'big', content: big }, { path: 'etc/motd', content: 'hello, vm\n' }]);
    // WHEN
    const [first, second] = indexTar(tar);
    // THEN: header 0, data 512..1211 padded to 1536, header 1536, data 2048
    expect(first.dataOffset).toBe(512);
    expect(second.dataOffset).toBe(2048);
    const bytes = fs.readFileSync(tar);
    expect(bytes.subarray(second.dataOffset, second.dataOffset + second.size).toString()).toBe('hello, vm\n');
    expect(bytes.subarray(first.dataOffset, first.dataOffset + first.size).equals(big)).toBe(true);
  });

  test('reads PAX long paths, long link targets and fractional mtimes', () => {
    // GIVEN
    const longPath = `usr/share/${'d'.repeat(60)}/${'e'.repeat(60)}/file.txt`;
    const longTarget = `/opt/${'t'.repeat(150)}`;
    writeTar(tar, [
      { path: longPath, content: 'long' },
      { path: 'link', type: 'symlink', linkTarget: longTarget },
      { path: 'frac', content: '', paxMtime: '1700000123.75' },
    ]);
    // WHEN
    const entries = indexTar(tar);
    // THEN: the PAX headers are not entries of their own
    expect(entries.map(x => x.path)).toEqual([longPath, 'link', 'frac']);
    expect(entries[0].size).toBe(4);
    expect(fs.readFileSync(tar).subarray(entries[0].dataOffset, entries[0].dataOffset + 4).toString()).toBe('long');
    expect(entries[1].linkTarget).toBe(longTarget);
    expect(entries[2].mtime).toBe(1700000123);
  });

  test('skips the data of a file whose size is only in its PAX header (docker export of a file of 8 GiB or more)', () => {
    // GIVEN: POSIX pax: a "size" record overrides the ustar size field, which Go's archive/tar then leaves at 0
    writeTar(tar, [{ path: 'big', content: Buffer.alloc(600, 'b'), sizeInPax: true }, { path: 'after', content: 'next' }]);
    // WHEN
    const entries = indexTar(tar);
    // THEN: PAX header 0, its data 512, 'big' header 1024, data 1536..2135 padded to 2560, 'after' header 2560, data 3072
    expect(entries.map(x => [x.path, x.size, x.dataOffset])).toEqual([['big', 600, 1536], ['after', 4, 3072]]);
  });

  test('reads GNU long names and long link targets written by tar -c', () => {
    // GIVEN
    const src = path.join(tmp.dir, 'src');
    const deep = path.join(src, 'a'.repeat(80), 'b'.repeat(80));
    fs.mkdirSync(deep, { recursive: true });
    fs.writeFileSync(path.join(deep, 'data.bin'), 'gnu-long-name');
    fs.symlinkSync(`/${'c'.repeat(120)}`, path.join(src, 'longlink'));
    fs.utimesSync(path.join(deep, 'data.bin'), 1_600_000_000, 1_600_000_000);
    execFileSync('tar', ['--format=gnu', '-C', src, '-cf', tar, '.']);
    // WHEN
    const entries = indexTar(tar);
    // THEN
    const data = entries.find(x => x.path === `${'a'.repeat(80)}/${'b'.repeat(80)}/data.bin`);
    expect(data).toMatchObject({ type: 'file', size: 13, mtime: 1_600_000_000 });
    expect(fs.readFileSync(tar).subarray(data!.dataOffset, data!.dataOffset + 13).toString()).toBe('gnu-long-name');
    expect(entries.find(x => x.path === 'longlink')).toMatchObject({ type: 'symlink', linkTarget: `/${'c'.repeat(120)}` });
    expect(entries.some(x => x.path === '')).toBe(true); // './' itself
  });

  test('fails when the file is not a tar', () => {
    // GIVEN
    fs.writeFileSync(tar, 'this is a text file, not a tar\n'.repeat(40));
    // THEN
    expect(() => indexTar(tar)).toThrow(BuilderError);
    expect(() => indexTar(tar)).toThrow(`${tar} is not a valid tar (bad header checksum at byte 0)`);
  });

  test('fails when the tar is truncated inside file data', () => {
    // GIVEN: header at 0, 700 bytes of data from 512; cut at 1000
    const bytes = writeTar(tar, [{ path: 'big', content: Buffer.alloc(700, 'x') }]);
    fs.writeFileSync(tar, bytes.subarray(0, 1000));
    // THEN
    expect(() => indexTar(tar)).toThrow(`${tar} is truncated (an entry needs 1212 bytes, the file has 1000)`);
  });

  test('fails when the tar is truncated inside a header', () => {
    // GIVEN: the second header starts at byte 1024; cut at 1100
    const bytes = writeTar(tar, [{ path: 'a', content: 'x' }, { path: 'b', content: 'y' }]);
    fs.writeFileSync(tar, bytes.subarray(0, 1100));
    // THEN
    expect(() => indexTar(tar)).toThrow(/is truncated \(ends inside a header at byte 1024\)/);
  });

  test('accepts a tar without the end-of-archive blocks', () => {
    // GIVEN
    const bytes = writeTar(tar, [{ path: 'a', content: 'x' }]);
    fs.writeFileSync(tar, bytes.subarray(0, 1024));
    // THEN
    expect(indexTar(tar).map(x => x.path)).toEqual(['a']);
  });

  test.each([
    ['an empty file', Buffer.alloc(0)],
    ['only the end-of-archive blocks', Buffer.alloc(1024)],
  ])('fails when the tar is %s: it holds no files', (_name, bytes) => {
    // GIVEN
    fs.writeFileSync(tar, bytes);
    // THEN
    expect(() => indexTar(tar)).toThrow(`${tar} holds no files`);
  });

  test('fails when the file does not exist, naming it', () => {
    expect(() => indexTar(path.join(tmp.dir, 'missing.tar'))).toThrow(/cannot read rootfs tar .*missing\.tar/);
  });
});

describe('normalizeTarPath', () => {
  test.each([
    ['./etc/passwd', 'etc/passwd'],
    ['/etc/passwd', 'etc/passwd'],
    ['etc/', 'etc'],
    ['./', ''],
    ['.', ''],
    ['././a', 'a'],
  ])('turns %j into %j', (p, expected) => {
    expect(normalizeTarPath(p)).toBe(expected);
  });
});
