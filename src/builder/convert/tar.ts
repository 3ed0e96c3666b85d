/**
 * A small POSIX ustar writer and reader for the packages (OVA, Vagrant box):
 * members in the order given, every header field fixed (mode 0644, owner
 * root 0:0, mtime 0), so the same files give the same bytes. OVF requires
 * ustar and a member order (DSP0243, "OVF package"), which a general tar
 * library would leave to its defaults; the reader finds a package's members
 * without extracting it.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { BuilderError, SpecError } from '../common/errors';
import { headerChecksum, readNumber } from '../common/tar-index';

const BLOCK = 512;
const COPY_BYTES = 4 * 1024 ** 2;
/** The largest size the 11 octal digits of a ustar size field hold: 8 GiB - 1. */
export const USTAR_MAX_BYTES = 8 * 1024 ** 3 - 1;

export interface TarMember {
  /** File name in the archive (ASCII, at most 100 bytes: no directories). */
  readonly name: string;
  /** The contents: bytes, or a file copied in. */
  readonly data?: Buffer;
  readonly file?: string;
}

export interface TarOptions {
  /**
   * Sizes above 8 GiB - 1 in GNU's base-256 size field (GNU tar and bsdtar
   * read it); else such a member is an error, as plain ustar requires.
   */
  readonly allowBase256Sizes?: boolean;
}

/** Writes `members` in order to `output`, then the two zero blocks that end an archive. */
export function writeTar(output: string, members: readonly TarMember[], options: TarOptions = {}): void {
  const out = openSync(output, 'w');
  try {
    let position = 0;
    const write = (data: Buffer, length = data.length) => {
      let done = 0;
      while (done < length) done += writeSync(out, data, done, length - done, position + done);
      position += length;
    };
    for (const member of members) {
      const input = member.file !== undefined ? openSync(member.file, 'r') : undefined;
      try {
        const size = input !== undefined ? fstatSync(input).size : member.data!.length;
        write(tarHeader(member.name, size, options));
        if (input === undefined) {
          write(member.data!);
        } else {
          copyAll(input, member.file!, size, write);
        }
        const pad = (BLOCK - (size % BLOCK)) % BLOCK;
        if (pad) write(Buffer.alloc(pad));
      } finally {
        if (input !== undefined) closeSync(input);
      }
    }
    write(Buffer.alloc(2 * BLOCK));
  } finally {
    closeSync(out);
  }
}

function copyAll(fd: number, file: string, size: number, write: (data: Buffer, length: number) => void): void {
  const buf = Buffer.allocUnsafe(Math.min(COPY_BYTES, Math.max(size, 1)));
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - done), done);
    if (n === 0) throw new BuilderError(`${file} ended at ${done} of ${size} bytes while it was written into a tar; was it changed meanwhile?`);
    write(buf, n);
    done += n;
  }
}

/** One ustar header block: regular file, mode 0644, root:root (0:0), mtime 0. */
export function tarHeader(name: string, size: number, options: TarOptions = {}): Buffer {
  if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(name) || name.includes('/') || Buffer.byteLength(name) > 100) {
    throw new BuilderError(`tar member name ${JSON.stringify(name)} must be printable ASCII of at most 100 bytes without a directory; this is a bug, please report it`);
  }
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 'ascii');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  writeSize(h, name, size, options);
  h.write('00000000000\0', 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write('0000000\0', 329, 'ascii');
  h.write('0000000\0', 337, 'ascii');
  h.write(`${headerChecksum(h).toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function writeSize(h: Buffer, name: string, size: number, options: TarOptions): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new BuilderError(`tar member ${name}: size ${size} is not a byte count; this is a bug, please report it`);
  if (size <= USTAR_MAX_BYTES) {
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    return;
  }
  if (!options.allowBase256Sizes) {
    throw new SpecError(`${name} is ${size} bytes, more than the 8 GiB - 1 a ustar archive member can hold (OVF packages are ustar); ` +
      'build a smaller disk, or use the vmdk format and import the disk on its own');
  }
  // GNU base-256: the top bit of the first byte set, then the size big-endian in the other 11 bytes.
  h[124] = 0x80;
  h.writeBigUInt64BE(BigInt(size), 128);
}

/** A member as the reader found it: its data starts at `offset` in the archive. */
export interface TarEntry {
  readonly name: string;
  /** ustar type flag: '0' (or NUL) for a regular file. */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
}

/**
 * The members of a tar archive, read header by header (data is skipped, not
 * read). A name keeps its ustar prefix and loses a leading `./`. Throws a
 * SpecError naming `file` when a header is damaged.
 */
export function listTar(file: string): TarEntry[] {
  const fd = openSync(file, 'r');
  try {
    const total = fstatSync(fd).size;
    const entries: TarEntry[] = [];
    const h = Buffer.alloc(BLOCK);
    let position = 0;
    while (position + BLOCK <= total) {
      if (readSync(fd, h, 0, BLOCK, position) < BLOCK) break;
      if (h.every(b => b === 0)) break;
      const stored = readNumber(h, 148, 8);
      const computed = headerChecksum(h);
      if (stored !== computed) throw new SpecError(`${file}: the tar header at byte ${position} is damaged (checksum ${stored}, computed ${computed}); the file is not a complete tar archive`);
      const size = readNumber(h, 124, 12);
      const prefix = h.toString('utf8', 345, 500).replace(/\0.*$/s, '');
      const base = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
      const name = (h.toString('latin1', 257, 262) === 'ustar' && prefix ? `${prefix}/${base}` : base).replace(/^(\.\/)+/, '');
      const type = h.toString('latin1', 156, 157).replace('\0', '0');
      entries.push({ name, type, offset: position + BLOCK, size });
      position += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}
