import { detectContainer } from '../../../src/builder/check/read-image';
import { identifyFs } from '../../../src/builder/check/superblock';

function extHead(features: { compat?: number; incompat?: number; roCompat?: number }): Buffer {
  const b = Buffer.alloc(4096);
  const sb = 1024;
  b.writeUInt16LE(0xef53, sb + 0x38);
  b.writeUInt32LE(features.compat ?? 0, sb + 0x5c);
  b.writeUInt32LE(features.incompat ?? 0, sb + 0x60);
  b.writeUInt32LE(features.roCompat ?? 0, sb + 0x64);
  Buffer.from('39b87f46fb1840cc954e7715496ecf11', 'hex').copy(b, sb + 0x68);
  b.write('root', sb + 0x78);
  return b;
}

describe('identifyFs', () => {
  test.each([
    ['ext4', { compat: 0x4, incompat: 0x2c0 }],
    ['ext3', { compat: 0x4 }],
    ['ext2', {}],
  ])('recognises %s from the superblock features, with its UUID and label', (type, features) => {
    expect(identifyFs(extHead(features))).toEqual({ type, uuid: '39b87f46-fb18-40cc-954e-7715496ecf11', label: 'root' });
  });

  test('recognises FAT16 with its serial as XXXX-XXXX', () => {
    // GIVEN a FAT16 boot sector (extended boot record at 0x24)
    const b = Buffer.alloc(4096);
    b.writeUInt16LE(512, 11);
    b[0x26] = 0x29;
    b.writeUInt32LE(0xeac71a5b, 0x27);
    b.write('BOOT       FAT16   ', 0x2b, 'latin1');
    b[510] = 0x55;
    b[511] = 0xaa;
    // THEN
    expect(identifyFs(b)).toEqual({ type: 'vfat', uuid: 'EAC7-1A5B', label: 'BOOT' });
  });

  test('names an empty partition unknown', () => {
    expect(identifyFs(Buffer.alloc(4096))).toEqual({ type: 'unknown' });
  });
});

describe('detectContainer', () => {
  test.each([
    ['1f8b0800', 'gzip'],
    [Buffer.from('BZh91AY').toString('hex'), 'bzip2'],
    ['fd377a585a000004', 'xz'],
    ['28b52ffd', 'zstd'],
    ['504b0304', 'zip'],
    [Buffer.from('QFI\xfb', 'latin1').toString('hex'), 'none'],
  ])('magic %s is %s', (hex, kind) => {
    expect(detectContainer(Buffer.from(hex, 'hex'))).toBe(kind);
  });

  test('finds a tar by "ustar" at offset 257', () => {
    const b = Buffer.alloc(512);
    b.write('ustar', 257);
    expect(detectContainer(b)).toBe('tar');
  });
});
