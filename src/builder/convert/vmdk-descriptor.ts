import { readSync } from 'node:fs';

const SECTOR = 512;
const SPARSE_MAGIC = 'KDMV';

/** Where a sparse VMDK keeps its embedded descriptor text: a fixed, NUL-padded region. */
export interface DescriptorRegion {
  readonly offset: number;
  readonly bytes: number;
}

/**
 * Reads the sparse extent header (VMware's "Virtual Disk Format 5.0"):
 * descriptorOffset and descriptorSize, in sectors, at bytes 28 and 36.
 * Undefined when the file is not a sparse VMDK or embeds no descriptor.
 */
export function readDescriptorRegion(fd: number): DescriptorRegion | undefined {
  const header = Buffer.alloc(SECTOR);
  if (readSync(fd, header, 0, SECTOR, 0) < 44 || header.toString('latin1', 0, 4) !== SPARSE_MAGIC) return undefined;
  const offset = Number(header.readBigUInt64LE(28)) * SECTOR;
  const bytes = Number(header.readBigUInt64LE(36)) * SECTOR;
  return offset > 0 && bytes > 0 ? { offset, bytes } : undefined;
}
