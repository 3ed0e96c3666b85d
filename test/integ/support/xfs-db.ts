/**
 * Reads what an XFS filesystem really holds, through xfsprogs' xfs_db -r: no
 * mount, no root. xfs_db has no offset option, so a filesystem inside a disk
 * image is first copied out to a file of its own (`copyPartitionOut`).
 *
 * Many paths are read with one xfs_db process (many `-c` commands); each
 * path's output is fenced by an `echo` marker, since a failed `path` leaves
 * the previous inode current. Regular files are read from the filesystem file
 * at the blocks `bmap` names; long symlink targets the same way.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';

export type XfsEntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block' | 'socket';

export interface XfsEntry {
  readonly inode: number;
  readonly type: XfsEntryType;
  readonly uid: number;
  readonly gid: number;
  /** Permission bits including setuid/setgid/sticky, e.g. 0o4755. */
  readonly mode: number;
  readonly size: number;
  /** The data fork's format: `dev`, `local` (in the inode), `extents` or `btree`. */
  readonly format: string;
  readonly linkTarget?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly linksCount: number;
  /** Extended attribute names with their namespace (`user.`, `trusted.`, `security.`); [] without an attr fork. */
  readonly xattrNames: string[];
}

export interface RepairResult {
  readonly ok: boolean;
  readonly output: string;
}

const S_IFMT = 0o170000;
const TYPE_OF_IFMT: Record<number, XfsEntryType> = {
  0o100000: 'file', 0o040000: 'dir', 0o120000: 'symlink', 0o010000: 'fifo', 0o020000: 'char', 0o060000: 'block', 0o140000: 'socket',
};
/** xfs_dev_t (libxfs/xfs_types.h): major in the bits above XFS_DEV_BITSMINOR. */
const XFS_DEV_BITSMINOR = 18;
/** The header a V5 filesystem puts before remote symlink data (struct xfs_dsymlink_hdr). */
const XFS_SYMLINK_MAGIC = 0x58534c4d;
const XFS_SYMLINK_HDR_BYTES = 56;
const MARKER = '@@cdvm-entry';
const CORE_FIELDS = 'core.mode core.format core.uid core.gid core.nlinkv2 core.size core.mtime.sec core.forkoff core.aformat core.naextents v3.inumber';
const MAX_BUFFER = 256 * 1024 * 1024;

/** Copies `sizeBytes` from `offsetBytes` of a disk image into `out`, keeping zeros as holes. */
export function copyPartitionOut(image: string, offsetBytes: number, sizeBytes: number, out: string): void {
  const dd = spawnSync('dd', [
    `if=${image}`, `of=${out}`, 'bs=1M', `skip=${offsetBytes}`, `count=${sizeBytes}`,
    'iflag=skip_bytes,count_bytes', 'conv=sparse', 'status=none',
  ], { encoding: 'utf8' });
  if (dd.status !== 0) throw new Error(`dd could not copy the partition out of ${image}: ${dd.stderr}`);
}

export function readXfsEntry(fsImage: string, absPath: string): XfsEntry | undefined {
  return readXfsEntries(fsImage, [absPath]).get(absPath);
}

/** Paths that do not exist in the filesystem are absent from the returned map. */
export function readXfsEntries(fsImage: string, paths: readonly string[]): Map<string, XfsEntry> {
  const sections = perPath(fsImage, paths, ['print ' + CORE_FIELDS, 'print u3', 'print a', 'bmap']);
  const geometry = readGeometry(fsImage);
  const entries = new Map<string, XfsEntry>();
  sections.forEach((lines, i) => {
    if (lines === undefined) return;
    entries.set(paths[i], toEntry(paths[i], lines, fsImage, geometry));
  });
  return entries;
}

/** A regular file's bytes, read from the blocks its data fork maps (holes and unwritten extents read as zeros). */
export function readFileFromXfs(fsImage: string, absPath: string): Buffer {
  const [lines] = perPath(fsImage, [absPath], ['print core.mode core.size', 'bmap']);
  if (lines === undefined) throw new Error(`xfs_db finds no ${absPath} in ${fsImage}`);
  const fields = fieldsOf(lines);
  if ((Number.parseInt(fields['core.mode'], 8) & S_IFMT) !== 0o100000) throw new Error(`${absPath} in ${fsImage} is not a regular file`);
  return readMapped(fsImage, lines, Number(fields['core.size']), readGeometry(fsImage));
}

/** Read-only full check (`xfs_repair -n`); ok only when it would change nothing. */
export function xfsRepair(fsImage: string): RepairResult {
  const result = spawnSync('xfs_repair', ['-n', '-f', fsImage], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** Superblock fields, by name, as xfs_db prints them. */
export function readSuperblock(fsImage: string, fields: readonly string[]): Record<string, string> {
  return fieldsOf(xfsDb(fsImage, ['sb 0', `print ${fields.join(' ')}`]).split('\n'));
}

interface Geometry {
  readonly blockSize: number;
  readonly agBlocks: number;
}

function readGeometry(fsImage: string): Geometry {
  const sb = readSuperblock(fsImage, ['blocksize', 'agblocks']);
  return { blockSize: Number(sb.blocksize), agBlocks: Number(sb.agblocks) };
}

/** Runs `path P` then `commands` for every path in one xfs_db; the output lines per path, undefined where the path does not exist. */
function perPath(fsImage: string, paths: readonly string[], commands: readonly string[]): Array<string[] | undefined> {
  for (const p of paths) {
    if (/\s/.test(p) || !p.startsWith('/')) throw new Error(`xfs_db cannot name ${JSON.stringify(p)} (not absolute, or whitespace)`);
  }
  const output = xfsDb(fsImage, paths.flatMap((p, i) => [`echo ${MARKER} ${i}`, `path ${p}`, ...commands]));
  const sections: Array<string[] | undefined> = paths.map(() => undefined);
  const seen = new Set<number>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    const marker = new RegExp(`^${MARKER} (\\d+) *$`).exec(line);
    if (marker) {
      const i = Number(marker[1]);
      seen.add(i);
      current = [];
      sections[i] = current;
    } else if (current !== undefined) {
      current.push(line);
    }
  }
  if (seen.size !== paths.length) throw new Error(`xfs_db stopped early on ${fsImage}:\n${output.slice(-2000)}`);
  return sections.map((lines, i) => (lines !== undefined && lines[0] === `${paths[i]}: No such file or directory` ? undefined : lines));
}

function xfsDb(fsImage: string, commands: readonly string[]): string {
  const result = spawnSync('xfs_db', ['-r', ...commands.flatMap(c => ['-c', c]), fsImage], {
    encoding: 'utf8', maxBuffer: MAX_BUFFER, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' },
  });
  // xfs_db exits 1 after any failed command (a missing path too): only what it says on stderr means it could not open the file
  if (result.error !== undefined || result.stderr !== '') {
    throw new Error(`xfs_db could not open ${fsImage} (status ${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

/** `name = value` lines; a string value loses its quotes. */
function fieldsOf(lines: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of lines) {
    const m = /^([\w.[\]]+) = (.*)$/.exec(line);
    if (m) fields[m[1]] = m[2].startsWith('"') && m[2].endsWith('"') ? m[2].slice(1, -1) : m[2];
  }
  return fields;
}

function toEntry(absPath: string, lines: readonly string[], fsImage: string, geometry: Geometry): XfsEntry {
  const f = fieldsOf(lines);
  const need = (name: string) => {
    if (f[name] === undefined) throw new Error(`xfs_db printed no ${name} for ${absPath}:\n${lines.join('\n')}`);
    return f[name];
  };
  const rawMode = Number.parseInt(need('core.mode'), 8);
  const type = TYPE_OF_IFMT[rawMode & S_IFMT];
  if (type === undefined) throw new Error(`${absPath}: unknown file type in mode 0${rawMode.toString(8)}`);
  const format = need('core.format').replace(/^\d+ \((\w+)\)$/, '$1');
  const size = Number(need('core.size'));
  const entry = {
    inode: Number(need('v3.inumber')),
    type,
    uid: Number(need('core.uid')),
    gid: Number(need('core.gid')),
    mode: rawMode & 0o7777,
    size,
    format,
    mtime: Date.parse(`${need('core.mtime.sec')} UTC`) / 1000,
    linksCount: Number(need('core.nlinkv2')),
    xattrNames: xattrNamesOf(absPath, f, lines),
  };
  if (type === 'symlink') {
    return { ...entry, linkTarget: format === 'local' ? need('u3.symlink') : remoteSymlinkTarget(fsImage, lines, size, geometry) };
  }
  if (type === 'char' || type === 'block') {
    const dev = Number(need('u3.dev'));
    return { ...entry, devMajor: Math.floor(dev / 2 ** XFS_DEV_BITSMINOR), devMinor: dev % 2 ** XFS_DEV_BITSMINOR };
  }
  return entry;
}

const NAMESPACE_OF = (root: string, secure: string) => (secure === '1' ? 'security' : root === '1' ? 'trusted' : 'user');

/** Names in a shortform (in-inode) attr fork; an attr fork in blocks is an error, as this reader does not walk it. */
function xattrNamesOf(absPath: string, f: Record<string, string>, lines: readonly string[]): string[] {
  if (f['core.forkoff'] === '0') return [];
  if (!f['core.aformat'].startsWith('1 ')) {
    throw new Error(`${absPath} has an attr fork in blocks (${f['core.aformat']}); this reader reads only shortform attrs:\n${lines.join('\n')}`);
  }
  const count = Number(f['a.sfattr.hdr.count']);
  return Array.from({ length: count }, (_, i) => {
    const at = (name: string) => f[`a.sfattr.list[${i}].${name}`];
    return `${NAMESPACE_OF(at('root'), at('secure'))}.${at('name')}`;
  });
}

function remoteSymlinkTarget(fsImage: string, lines: readonly string[], size: number, geometry: Geometry): string {
  // V5: each block starts with an xfs_dsymlink_hdr; read the whole first block(s), then drop the header
  const blocks = readMapped(fsImage, lines, Math.ceil((size + XFS_SYMLINK_HDR_BYTES) / geometry.blockSize) * geometry.blockSize, geometry);
  if (blocks.readUInt32BE(0) !== XFS_SYMLINK_MAGIC) {
    return `<remote symlink block without its XSLM header: ${JSON.stringify(blocks.subarray(0, Math.min(size, 64)).toString('latin1'))}...>`;
  }
  return blocks.subarray(XFS_SYMLINK_HDR_BYTES, XFS_SYMLINK_HDR_BYTES + size).toString('utf8');
}

/**
 * The bytes `bmap` maps, `length` of them: extents are "data offset O
 * startblock B (AG/AGBNO) count C flag F" in filesystem blocks; the byte
 * position is (AG * agblocks + AGBNO) * blocksize; flag 1 (unwritten) reads as zeros.
 */
function readMapped(fsImage: string, lines: readonly string[], length: number, geometry: Geometry): Buffer {
  const out = Buffer.alloc(length);
  const fd = fs.openSync(fsImage, 'r');
  try {
    for (const line of lines) {
      const m = /^data offset (\d+) startblock \d+ \((\d+)\/(\d+)\) count (\d+) flag (\d+)$/.exec(line);
      if (!m) continue;
      const [fileBlock, ag, agBlock, count, flag] = m.slice(1).map(Number);
      if (flag !== 0) continue;
      const start = fileBlock * geometry.blockSize;
      const bytes = Math.min(count * geometry.blockSize, length - start);
      if (bytes <= 0) continue;
      const position = (ag * geometry.agBlocks + agBlock) * geometry.blockSize;
      const read = fs.readSync(fd, out, start, bytes, position);
      if (read !== bytes) throw new Error(`short read of ${fsImage} at byte ${position}`);
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}
