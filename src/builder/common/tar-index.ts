import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BuilderError } from './errors';

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarEntry {
  /** Path without leading './' or '/', directories without trailing '/'. */
  readonly path: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly mode: number;
  readonly linkTarget: string;
  /** Modification time in whole seconds. */
  readonly mtime: number;
  /** Byte offset of the entry's data in the tar file. */
  readonly dataOffset: number;
}

const BLOCK = 512;
const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

/**
 * Reads the headers of a tar file (ustar, PAX and GNU long names) without
 * reading file data. Throws a BuilderError naming the file when it is not a tar
 * or is truncated.
 */
export function indexTar(file: string): TarEntry[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new BuilderError(`cannot read rootfs tar ${file}: ${(e as Error).message}; check the path and its permissions`);
  }
  try {
    const fileSize = fstatSync(fd).size;
    const entries: TarEntry[] = [];
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    let pax: Record<string, string> = {};
    let globalPax: Record<string, string> = {};
    let longName: string | undefined;
    let longLink: string | undefined;
    let sawEnd = false;
    while (offset + BLOCK <= fileSize) {
      readSync(fd, header, 0, BLOCK, offset);
      if (header.every(b => b === 0)) {
        sawEnd = true;
        break;
      }
      if (!checksumOk(header)) {
        throw new BuilderError(`${file} is not a valid tar (bad header checksum at byte ${offset}); pass a tar made by docker export or tar -c`);
      }
      const typeflag = String.fromCharCode(header[156]);
      // A PAX size record overrides the header field (Go's archive/tar writes 0 there from 8 GiB on).
      const size = pax.size !== undefined && typeflag !== 'x' && typeflag !== 'g' ? Number(pax.size) : readNumber(header, 124, 12);
      const dataOffset = offset + BLOCK;
      const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (dataOffset + size > fileSize) {
        throw new BuilderError(`${file} is truncated (an entry needs ${dataOffset + size} bytes, the file has ${fileSize}); make the tar again`);
      }
      if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
        const data = Buffer.alloc(size);
        readSync(fd, data, 0, size, dataOffset);
        if (typeflag === 'x') pax = parsePax(data);
        else if (typeflag === 'g') globalPax = { ...globalPax, ...parsePax(data) };
        else if (typeflag === 'L') longName = cString(data);
        else longLink = cString(data);
        offset = next;
        continue;
      }
      const attrs = { ...globalPax, ...pax };
      const prefix = cString(header.subarray(345, 500));
      const name = cString(header.subarray(0, 100));
      const rawPath = attrs.path ?? longName ?? (prefix ? `${prefix}/${name}` : name);
      const type = TYPES[typeflag] ?? 'file';
      entries.push({
        path: normalizeTarPath(rawPath),
        type,
        size: type === 'file' ? size : 0,
        mode: readNumber(header, 100, 8) & 0o7777,
        linkTarget: attrs.linkpath ?? longLink ?? cString(header.subarray(157, 257)),
        mtime: attrs.mtime !== undefined ? Math.floor(Number(attrs.mtime)) : readNumber(header, 136, 12),
        dataOffset,
      });
      pax = {};
      longName = undefined;
      longLink = undefined;
      offset = next;
    }
    if (!sawEnd && offset !== fileSize) {
      throw new BuilderError(`${file} is truncated (ends inside a header at byte ${offset}); make the tar again`);
    }
    if (entries.length === 0) {
      throw new BuilderError(`${file} holds no files; pass the tar of a root filesystem (docker export CONTAINER > rootfs.tar)`);
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

export function normalizeTarPath(p: string): string {
  return p.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

function checksumOk(header: Buffer): boolean {
  return readNumber(header, 148, 8) === headerChecksum(header);
}

/** The ustar checksum of a header block: its bytes summed with the checksum field read as spaces. */
export function headerChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return sum;
}

/** A numeric header field: octal text, or GNU base-256 when the first byte's high bit is set. */
export function readNumber(buf: Buffer, start: number, len: number): number {
  if (buf[start] & 0x80) {
    // GNU base-256 for values that do not fit in octal
    let v = buf[start] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + buf[start + i];
    return v;
  }
  const s = cString(buf.subarray(start, start + len)).trim();
  return s ? parseInt(s, 8) : 0;
}

function cString(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.subarray(0, nul < 0 ? buf.length : nul).toString('utf8');
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!len) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

export function entriesByPath(index: readonly TarEntry[]): Map<string, TarEntry> {
  return new Map(index.map(e => [e.path, e]));
}
