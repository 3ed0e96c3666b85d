import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { TarEntry, headerChecksum, readNumber } from '../common/tar-index';

const BLOCK = 512;
const MODE_FIELD = 100;
const MODE_LENGTH = 8;
const CHECKSUM_FIELD = 148;
const CHECKSUM_LENGTH = 8;
const FILE_TYPE_BITS = 0o170000;

/**
 * mke2fs -d (e2fsprogs 1.47.2) makes an empty regular file instead of a hard
 * link when the link header's mode field carries the file-type bits (`0100755`),
 * which Go's archive/tar, and so `docker export`, writes. Clears those bits in
 * the tar's hard-link headers, in place: a few header blocks, never the data.
 * Returns how many headers changed.
 */
export function clearHardLinkTypeBits(tarFile: string, index: readonly TarEntry[]): number {
  const links = index.filter(e => e.type === 'hardlink');
  if (links.length === 0) return 0;
  const fd = openSync(tarFile, 'r+');
  try {
    const header = Buffer.alloc(BLOCK);
    let changed = 0;
    for (const link of links) {
      const at = link.dataOffset - BLOCK;
      readSync(fd, header, 0, BLOCK, at);
      if (clearTypeBits(header)) {
        writeSync(fd, header, 0, BLOCK, at);
        changed++;
      }
    }
    return changed;
  } finally {
    closeSync(fd);
  }
}

/** Rewrites the mode as permission bits only (and the checksum); false when there was nothing to clear. */
export function clearTypeBits(header: Buffer): boolean {
  if (header[MODE_FIELD] & 0x80) return false; // base-256 mode: not what Go writes for a mode
  const mode = readNumber(header, MODE_FIELD, MODE_LENGTH);
  if (!(mode & FILE_TYPE_BITS)) return false;
  header.write(octal(mode & 0o7777, MODE_LENGTH - 1) + '\0', MODE_FIELD, MODE_LENGTH, 'latin1');
  header.write(octal(headerChecksum(header), 6) + '\0 ', CHECKSUM_FIELD, CHECKSUM_LENGTH, 'latin1');
  return true;
}

function octal(value: number, digits: number): string {
  return value.toString(8).padStart(digits, '0');
}
