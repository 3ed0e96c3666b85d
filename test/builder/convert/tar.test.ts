import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpecError } from '../../../src/builder/common/errors';
import { USTAR_MAX_BYTES, listTar, tarHeader, writeTar } from '../../../src/builder/convert/tar';

let dir: string;
beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'cdvm-tar-test-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('tarHeader', () => {
  test('writes a ustar header with fixed mode, owner and mtime, and a checksum over the block', () => {
    // WHEN
    const h = tarHeader('disk.ovf', 3682);
    // THEN
    const field = (at: number, length: number) => h.toString('latin1', at, at + length);
    expect(h.length).toBe(512);
    expect(field(0, 9)).toBe('disk.ovf\0');
    expect(field(100, 8)).toBe('0000644\0');
    expect(field(108, 16)).toBe('0000000\u00000000000\0');
    expect(field(124, 12)).toBe(`${(3682).toString(8).padStart(11, '0')}\0`);
    expect(field(136, 12)).toBe('00000000000\0');
    expect(field(156, 1)).toBe('0');
    expect(field(257, 8)).toBe('ustar\u000000');
    expect(field(265, 5)).toBe('root\0');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    expect(field(148, 8)).toBe(`${sum.toString(8).padStart(6, '0')}\0 `);
  });

  test('is the same bytes every time (no clock, no user)', () => {
    expect(tarHeader('box.img', 123).equals(tarHeader('box.img', 123))).toBe(true);
  });

  test('writes a size above 8 GiB - 1 in base-256 when allowed', () => {
    // WHEN
    const h = tarHeader('box.img', USTAR_MAX_BYTES + 1, { allowBase256Sizes: true });
    // THEN
    expect(h[124]).toBe(0x80);
    expect(Number(h.readBigUInt64BE(128))).toBe(8 * 1024 ** 3);
  });

  test('fails when a size above 8 GiB - 1 is to be plain ustar, naming the member and the fix', () => {
    expect(() => tarHeader('disk1.vmdk', USTAR_MAX_BYTES + 1)).toThrow(SpecError);
    expect(() => tarHeader('disk1.vmdk', USTAR_MAX_BYTES + 1)).toThrow(/^disk1\.vmdk is 8589934592 bytes, more than the 8 GiB - 1 a ustar archive member can hold .*; build a smaller disk, or use the vmdk format/);
  });

  test.each(['', 'dir/file', 'x'.repeat(101), 'caf\u00e9'])('fails when the member name is %j', name => {
    expect(() => tarHeader(name, 1)).toThrow(/must be printable ASCII of at most 100 bytes without a directory/);
  });
});

describe('writeTar and listTar', () => {
  test('keep the members in the order given, each padded to 512 bytes, ending with two zero blocks', () => {
    // GIVEN
    const disk = path.join(dir, 'disk1.vmdk');
    writeFileSync(disk, Buffer.alloc(1000, 7));
    const out = path.join(dir, 'a.tar');
    // WHEN
    writeTar(out, [{ name: 'b.ovf', data: Buffer.from('<x/>') }, { name: 'a.mf', data: Buffer.from('') }, { name: 'disk1.vmdk', file: disk }]);
    // THEN
    const entries = listTar(out);
    expect(entries).toEqual([
      { name: 'b.ovf', type: '0', offset: 512, size: 4 },
      { name: 'a.mf', type: '0', offset: 1536, size: 0 },
      { name: 'disk1.vmdk', type: '0', offset: 2048, size: 1000 },
    ]);
    expect(statSync(out).size).toBe(2048 + 1024 + 1024);
    const bytes = readFileSync(out);
    expect(bytes.subarray(2048, 3048).equals(Buffer.alloc(1000, 7))).toBe(true);
    expect(bytes.subarray(3048).every(b => b === 0)).toBe(true);
  });

  test('write the same bytes for the same members', () => {
    // GIVEN
    const members = [{ name: 'metadata.json', data: Buffer.from('{}\n') }];
    // WHEN
    writeTar(path.join(dir, '1.tar'), members);
    writeTar(path.join(dir, '2.tar'), members);
    // THEN
    expect(readFileSync(path.join(dir, '1.tar')).equals(readFileSync(path.join(dir, '2.tar')))).toBe(true);
  });

  test('listTar fails when a header is damaged, naming the file', () => {
    // GIVEN
    const out = path.join(dir, 'bad.tar');
    writeTar(out, [{ name: 'x', data: Buffer.from('1') }]);
    const bytes = readFileSync(out);
    bytes[0] = 'y'.charCodeAt(0);
    writeFileSync(out, bytes);
    // THEN
    expect(() => listTar(out)).toThrow(/bad\.tar: the tar header at byte 0 is damaged/);
  });
});
