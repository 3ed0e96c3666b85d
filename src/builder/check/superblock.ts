/**
 * Recognises the filesystem at the start of a partition from its first 64 KiB,
 * without mounting: ext2/3/4 superblock, FAT boot sector, and a few others by
 * their magic, only to name them in messages.
 */
export type FsType = 'ext2' | 'ext3' | 'ext4' | 'vfat' | 'xfs' | 'btrfs' | 'swap' | 'unknown';

export interface FsFacts {
  readonly type: FsType;
  /** ext: the filesystem UUID (lower case); vfat: the volume serial as XXXX-XXXX (upper case). */
  readonly uuid?: string;
  readonly label?: string;
}

/** How many bytes of a partition `identifyFs` wants to see. */
export const FS_PROBE_BYTES = 64 * 1024 + 4096;

const EXT_SUPERBLOCK = 1024;
const EXT_MAGIC = 0xef53;
const EXT_COMPAT_HAS_JOURNAL = 0x4;
/** extents, 64bit, flex_bg: features ext3 does not have. */
const EXT_INCOMPAT_EXT4 = 0x40 | 0x80 | 0x200;
/** huge_file, gdt_csum, dir_nlink, extra_isize, metadata_csum. */
const EXT_RO_COMPAT_EXT4 = 0x8 | 0x10 | 0x20 | 0x40 | 0x400;

export function identifyFs(head: Buffer): FsFacts {
  if (head.length >= EXT_SUPERBLOCK + 0x88 && head.readUInt16LE(EXT_SUPERBLOCK + 0x38) === EXT_MAGIC) return extFacts(head.subarray(EXT_SUPERBLOCK));
  const fat = fatFacts(head);
  if (fat) return fat;
  if (head.subarray(0, 4).toString('latin1') === 'XFSB') return { type: 'xfs' };
  if (head.length >= 0x10048 && head.subarray(0x10040, 0x10048).toString('latin1') === '_BHRfS_M') return { type: 'btrfs' };
  if (head.length >= 4096 && /^SWAP(SPACE2|-SPACE)$/.test(head.subarray(4086, 4096).toString('latin1'))) return { type: 'swap' };
  return { type: 'unknown' };
}

function extFacts(sb: Buffer): FsFacts {
  const compat = sb.readUInt32LE(0x5c);
  const incompat = sb.readUInt32LE(0x60);
  const roCompat = sb.readUInt32LE(0x64);
  const type: FsType = (incompat & EXT_INCOMPAT_EXT4) || (roCompat & EXT_RO_COMPAT_EXT4) ? 'ext4' : compat & EXT_COMPAT_HAS_JOURNAL ? 'ext3' : 'ext2';
  const u = sb.subarray(0x68, 0x78).toString('hex');
  const uuid = `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;
  return { type, uuid, label: cString(sb.subarray(0x78, 0x88)) };
}

function fatFacts(b: Buffer): FsFacts | undefined {
  if (b.length < 512 || b[510] !== 0x55 || b[511] !== 0xaa) return undefined;
  const bytesPerSector = b.readUInt16LE(11);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector)) return undefined;
  // FAT12/16 keep the extended boot record at 0x24, FAT32 at 0x40.
  for (const ebr of [0x24, 0x40]) {
    if (b[ebr + 2] === 0x29 && b.subarray(ebr + 0x12, ebr + 0x15).toString('latin1') === 'FAT') {
      const serial = b.readUInt32LE(ebr + 3);
      const hex = serial.toString(16).toUpperCase().padStart(8, '0');
      return { type: 'vfat', uuid: `${hex.slice(0, 4)}-${hex.slice(4)}`, label: b.subarray(ebr + 7, ebr + 18).toString('latin1').trim() };
    }
  }
  return undefined;
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}

export function isExt(fs: FsFacts | undefined): boolean {
  return fs !== undefined && (fs.type === 'ext2' || fs.type === 'ext3' || fs.type === 'ext4');
}
