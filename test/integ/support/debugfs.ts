/**
 * Reads what an ext4 filesystem really holds, through e2fsprogs' debugfs:
 * no mount, no root. The filesystem may sit inside a partitioned disk image;
 * it is opened with the io-options syntax 'disk.img?offset=BYTES'.
 *
 * Many paths are read with two debugfs processes in all (`debugfs -f
 * cmdfile`): one for `stat` + `ea_list` of every path, one that dumps the
 * exact bytes of slow-symlink targets and xattr values to files.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type Ext4EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block' | 'socket';

export interface Ext4Entry {
  readonly inode: number;
  readonly type: Ext4EntryType;
  readonly uid: number;
  readonly gid: number;
  /** Permission bits including setuid/setgid/sticky, e.g. 0o4755. */
  readonly mode: number;
  readonly size: number;
  readonly linkTarget?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
  /** Seconds since the epoch, including the ext4 extra epoch bits. */
  readonly mtime: number;
  readonly mtimeNsec: number;
  readonly linksCount: number;
  readonly xattrs: Record<string, Buffer>;
}

export interface FsckResult {
  readonly ok: boolean;
  readonly output: string;
}

const DEBUGFS_TYPE_NAMES: Record<string, Ext4EntryType> = {
  'regular': 'file',
  'directory': 'dir',
  'symlink': 'symlink',
  'FIFO': 'fifo',
  'character special': 'char',
  'block special': 'block',
  'socket': 'socket',
};

export function readExt4Entry(image: string, offsetBytes: number, absPath: string): Ext4Entry | undefined {
  return readExt4Entries(image, offsetBytes, [absPath]).get(absPath);
}

/** Paths that do not exist in the filesystem are absent from the returned map. */
export function readExt4Entries(image: string, offsetBytes: number, paths: string[]): Map<string, Ext4Entry> {
  const device = deviceSpec(image, offsetBytes);
  const inodeFacts = statAll(device, paths);
  return withScratchDir(scratch => {
    const bytes = readExactBytes(device, inodeFacts, scratch);
    const entries = new Map<string, Ext4Entry>();
    for (const [absPath, facts] of inodeFacts) {
      entries.set(absPath, toEntry(absPath, facts, bytes));
    }
    return entries;
  });
}

export function readFileFromExt4(image: string, offsetBytes: number, absPath: string): Buffer {
  const device = deviceSpec(image, offsetBytes);
  return withScratchDir(scratch => {
    const out = path.join(scratch, 'content');
    runDebugfs(device, [`dump ${quote(absPath)} ${quote(out)}`]);
    if (!fs.existsSync(out)) throw new Error(`debugfs could not dump ${absPath} from ${device}`);
    return fs.readFileSync(out);
  });
}

/** Read-only full check (`e2fsck -fn`); ok only when e2fsck finds nothing to fix. */
export function fsck(image: string, offsetBytes: number): FsckResult {
  const result = spawnSync('e2fsck', ['-fn', deviceSpec(image, offsetBytes)], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

// ---------------------------------------------------------------------------
// Pass 1: stat + ea_list
// ---------------------------------------------------------------------------

interface InodeFacts {
  readonly inode: number;
  readonly type: Ext4EntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly linksCount: number;
  readonly mtime: number;
  readonly mtimeNsec: number;
  readonly fastLinkTarget?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
  readonly xattrNames: string[];
}

function statAll(device: string, paths: string[]): Map<string, InodeFacts> {
  const commandsByPath = paths.map(p => ({ path: p, stat: `stat ${quote(p)}`, eaList: `ea_list ${quote(p)}` }));
  const outputs = runDebugfs(device, commandsByPath.flatMap(c => [c.stat, c.eaList]));
  const facts = new Map<string, InodeFacts>();
  commandsByPath.forEach(({ path: absPath }, index) => {
    const statOutput = outputs[index * 2];
    if (!statOutput.startsWith('Inode:')) return;
    facts.set(absPath, { ...parseStat(absPath, statOutput), xattrNames: parseXattrNames(outputs[index * 2 + 1]) });
  });
  return facts;
}

function parseStat(absPath: string, output: string): Omit<InodeFacts, 'xattrNames'> {
  const header = match(absPath, output, /^Inode:\s*(\d+)\s+Type:\s*(.+?)\s+Mode:\s*([0-7]+)/m);
  const owner = match(absPath, output, /^User:\s*(\d+)\s+Group:\s*(\d+)(?:\s+Project:\s*\d+)?\s+Size:\s*(\d+)/m);
  const links = match(absPath, output, /^Links:\s*(\d+)/m);
  const mtime = match(absPath, output, /^\s*mtime:\s*0x([0-9a-f]+)(?::([0-9a-f]+))?/m);
  const device = /Device major\/minor number:\s*(\d+):(\d+)/.exec(output);
  const type = DEBUGFS_TYPE_NAMES[header[2]];
  if (type === undefined) throw new Error(`debugfs: unknown inode type '${header[2]}' for ${absPath}`);
  const size = Number(owner[3]);
  return {
    inode: Number(header[1]),
    type,
    mode: parseInt(header[3], 8),
    uid: Number(owner[1]),
    gid: Number(owner[2]),
    size,
    linksCount: Number(links[1]),
    ...decodeExt4Time(parseInt(mtime[1], 16), mtime[2] === undefined ? 0 : parseInt(mtime[2], 16)),
    fastLinkTarget: parseFastLinkTarget(output, size),
    devMajor: device ? Number(device[1]) : undefined,
    devMinor: device ? Number(device[2]) : undefined,
  };
}

/**
 * ext4 time: a signed 32-bit seconds field plus an `_extra` word whose low 2
 * bits extend the epoch (post-2038) and whose upper 30 bits are nanoseconds.
 */
function decodeExt4Time(low: number, extra: number): { mtime: number; mtimeNsec: number } {
  const signedSeconds = low >= 2 ** 31 ? low - 2 ** 32 : low;
  const epochBits = extra % 4;
  return { mtime: signedSeconds + epochBits * 2 ** 32, mtimeNsec: Math.floor(extra / 4) };
}

/** `Fast link dest: "<target>"`: sliced by the inode size so quotes inside the target are harmless. */
function parseFastLinkTarget(output: string, size: number): string | undefined {
  const marker = 'Fast link dest: "';
  const start = output.indexOf(marker);
  if (start < 0) return undefined;
  return Buffer.from(output.slice(start + marker.length)).subarray(0, size).toString();
}

/** ea_list prints "  name (length) = value" per attribute; only the names are taken here. */
function parseXattrNames(output: string): string[] {
  return [...output.matchAll(/^ {2}(.+?) \((\d+)\)(?: = |$)/gm)].map(found => found[1]);
}

function match(absPath: string, output: string, pattern: RegExp): RegExpExecArray {
  const found = pattern.exec(output);
  if (!found) throw new Error(`debugfs stat of ${absPath}: no match for ${pattern} in:\n${output}`);
  return found;
}

// ---------------------------------------------------------------------------
// Pass 2: exact bytes of slow symlink targets and xattr values
// ---------------------------------------------------------------------------

interface ExactBytes {
  readonly slowLinkTargets: Map<string, Buffer>;
  readonly xattrValues: Map<string, Record<string, Buffer>>;
}

function readExactBytes(device: string, inodeFacts: Map<string, InodeFacts>, scratch: string): ExactBytes {
  const commands: string[] = [];
  const collectors: Array<() => void> = [];
  const slowLinkTargets = new Map<string, Buffer>();
  const xattrValues = new Map<string, Record<string, Buffer>>();
  let fileCount = 0;
  const nextOutFile = () => path.join(scratch, String(fileCount++));

  for (const [absPath, facts] of inodeFacts) {
    if (facts.type === 'symlink' && facts.fastLinkTarget === undefined) {
      const out = nextOutFile();
      commands.push(`dump ${quote(absPath)} ${quote(out)}`);
      collectors.push(() => slowLinkTargets.set(absPath, readDumped(out, absPath)));
    }
    const values: Record<string, Buffer> = {};
    xattrValues.set(absPath, values);
    for (const name of facts.xattrNames) {
      const out = nextOutFile();
      commands.push(`ea_get -f ${quote(out)} ${quote(absPath)} ${quote(name)}`);
      collectors.push(() => { values[name] = readDumped(out, `${absPath} xattr ${name}`); });
    }
  }
  if (commands.length > 0) runDebugfs(device, commands);
  collectors.forEach(collect => collect());
  return { slowLinkTargets, xattrValues };
}

function readDumped(file: string, what: string): Buffer {
  if (!fs.existsSync(file)) throw new Error(`debugfs did not write ${what}`);
  return fs.readFileSync(file);
}

function toEntry(absPath: string, facts: InodeFacts, bytes: ExactBytes): Ext4Entry {
  const { fastLinkTarget, xattrNames: _names, devMajor, devMinor, ...common } = facts;
  const slowLinkTarget = bytes.slowLinkTargets.get(absPath);
  const linkTarget = fastLinkTarget ?? slowLinkTarget?.subarray(0, facts.size).toString();
  return {
    ...common,
    ...(linkTarget !== undefined ? { linkTarget } : {}),
    ...(devMajor !== undefined ? { devMajor, devMinor } : {}),
    xattrs: bytes.xattrValues.get(absPath) ?? {},
  };
}

// ---------------------------------------------------------------------------
// Running debugfs
// ---------------------------------------------------------------------------

/** e2fsprogs io-options: everything after the first '?' of the device name. */
function deviceSpec(image: string, offsetBytes: number): string {
  if (image.includes('?')) throw new Error(`image path must not contain '?': ${image}`);
  if (!Number.isInteger(offsetBytes) || offsetBytes < 0) throw new Error(`bad offset ${offsetBytes}`);
  return offsetBytes === 0 ? image : `${image}?offset=${offsetBytes}`;
}

/** debugfs' argument parser takes double quotes; it has no escape for a quote or newline inside them. */
function quote(argument: string): string {
  if (/["\n\r]/.test(argument)) throw new Error(`debugfs cannot quote ${JSON.stringify(argument)}`);
  return `"${argument}"`;
}

/**
 * Runs the commands in one debugfs process and returns each command's stdout.
 * In -f mode debugfs echoes "debugfs: <command>" before running each command,
 * which is what splits the output. Per-command errors go to stderr (and make
 * the exit status non-zero), so they show up here as empty outputs.
 */
function runDebugfs(device: string, commands: string[]): string[] {
  return withScratchDir(scratch => {
    const commandFile = path.join(scratch, 'commands');
    fs.writeFileSync(commandFile, commands.map(c => `${c}\n`).join(''));
    const result = spawnSync('debugfs', ['-f', commandFile, device], {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
      env: { ...process.env, DEBUGFS_PAGER: '__none__' },
    });
    if (result.error) throw result.error;
    // A failed open either stops debugfs before the commands or makes each say "Filesystem not open".
    if (/while trying to open|Filesystem not open/.test(result.stderr)) {
      throw new Error(`debugfs could not open ${device}:\n${result.stderr}`);
    }
    return splitByEcho(result.stdout, commands);
  });
}

function splitByEcho(stdout: string, commands: string[]): string[] {
  const echoes = commands.map(c => `debugfs: ${c}\n`);
  const starts = echoes.map(() => -1);
  let searchFrom = 0;
  echoes.forEach((echo, index) => {
    starts[index] = stdout.indexOf(echo, searchFrom);
    if (starts[index] < 0) throw new Error(`debugfs output lacks the echo of '${commands[index]}'`);
    searchFrom = starts[index] + echo.length;
  });
  return echoes.map((echo, index) => {
    const end = index + 1 < starts.length ? starts[index + 1] : stdout.length;
    return stdout.slice(starts[index] + echo.length, end);
  });
}

function withScratchDir<T>(use: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'debugfs-read-'));
  try {
    return use(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
