/**
 * A minimal pure-Node tar writer for unit tests (ustar headers, PAX 'x'
 * records for long paths, link targets and fractional mtimes), after the
 * writer in test/integ/fixtures/edge-tar.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const BLOCK = 512;

export interface TarInput {
  readonly path: string;
  readonly type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  readonly content?: string | Buffer;
  readonly linkTarget?: string;
  readonly mode?: number;
  /** Whole seconds in the ustar header. */
  readonly mtime?: number;
  /** Exact PAX mtime string (e.g. '1700000000.75'). */
  readonly paxMtime?: string;
  /**
   * Put the size in a PAX record and 0 in the ustar size field, as Go's
   * archive/tar (docker export) does for files of 8 GiB and more.
   */
  readonly sizeInPax?: boolean;
}

const TYPEFLAG = { file: '0', dir: '5', symlink: '2', hardlink: '1' } as const;

/** The bytes of a tar holding `entries`, ending with two zero blocks. */
export function tarBytes(entries: readonly TarInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    const name = type === 'dir' ? `${e.path}/` : e.path;
    const link = e.linkTarget ?? '';
    const pax: Buffer[] = [];
    if (Buffer.byteLength(name) > 100) pax.push(paxRecord('path', name));
    if (Buffer.byteLength(link) > 100) pax.push(paxRecord('linkpath', link));
    if (e.paxMtime !== undefined) pax.push(paxRecord('mtime', e.paxMtime));
    if (e.sizeInPax) pax.push(paxRecord('size', String(body.length)));
    if (pax.length > 0) {
      const paxBody = Buffer.concat(pax);
      parts.push(header('PaxHeaders/x', 'x', paxBody.length, 0o644, 0, ''), padded(paxBody));
    }
    parts.push(header(name, TYPEFLAG[type], e.sizeInPax ? 0 : body.length, e.mode ?? (type === 'dir' ? 0o755 : 0o644), e.mtime ?? 1_700_000_000, link));
    if (body.length > 0) parts.push(padded(body));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

export function writeTar(file: string, entries: readonly TarInput[]): Buffer {
  const bytes = tarBytes(entries);
  fs.writeFileSync(file, bytes);
  return bytes;
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'builder-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function padded(body: Buffer): Buffer {
  const rest = body.length % BLOCK;
  return rest === 0 ? body : Buffer.concat([body, Buffer.alloc(BLOCK - rest)]);
}

/** "<length> <key>=<value>\n", where <length> counts the whole record. */
function paxRecord(key: string, value: string): Buffer {
  const payload = Buffer.from(` ${key}=${value}\n`);
  let length = payload.length + 1;
  while (String(length).length + payload.length !== length) length = String(length).length + payload.length;
  return Buffer.concat([Buffer.from(String(length)), payload]);
}

function header(name: string, typeflag: string, size: number, mode: number, mtime: number, linkName: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  Buffer.from(name).copy(h, 0, 0, 100);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.write(typeflag, 156, 1, 'ascii');
  Buffer.from(linkName).copy(h, 157, 0, 100);
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.fill(' ', 148, 156);
  const sum = h.reduce((total, byte) => total + byte, 0);
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

function octal(h: Buffer, offset: number, length: number, value: number): void {
  h.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}
