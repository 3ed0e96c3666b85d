import { SpecError } from '../common/errors';
import { TarEntryType } from '../common/tar-index';

/**
 * The XFS root: a prototype file for `mkfs.xfs -p` (xfsprogs 6.1, mkfs/proto.c)
 * made from the rootfs tar's entries, so owners and modes reach the filesystem
 * without root. Pure: no I/O.
 *
 * What proto.c reads: a dummy line, two ignored numbers, then the root
 * directory's spec and, recursively, `name mode uid gid [extra]` per entry, a
 * `$` closing each directory. Tokens are split at space, tab and newline; a
 * token starting with `:` starts a comment to the end of the line; a name `$`
 * closes the directory. The mode is a type letter (`-bcdpl`), `u` or `-`
 * (setuid), `g` or `-` (setgid) and exactly three octal digits.
 *
 * What it cannot carry, and what this module does about it:
 * - names (or symlink targets) with whitespace, a leading `:` or the name `$`:
 *   refused, naming the entry;
 * - the sticky bit (no letter for it): returned in `modeFixups`, for
 *   `xfs_db -x` to write after mkfs;
 * - hard links: every link becomes its own copy of the file (same contents,
 *   owner and mode, link count 1);
 * - times (every inode gets mkfs's clock) and extended attributes (none are
 *   written; the tar index does not read them either);
 * - symlink targets longer than fit in the inode (336 bytes with 512-byte
 *   inodes): xfsprogs 6.1 writes such a remote symlink block without its V5
 *   header (fixed upstream by "mkfs: use libxfs to create symlinks", 2022),
 *   so xfs_repair junks it and the kernel cannot read it: refused.
 */

/** The longest symlink target a 512-byte V5 inode holds in its data fork (512 - 176 bytes of core). */
export const XFS_MAX_LOCAL_SYMLINK_BYTES = 336;

/** A tar entry with what the protofile needs beyond the index: owner and device numbers. */
export interface ProtoEntry {
  readonly path: string;
  readonly type: TarEntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkTarget: string;
  readonly devMajor: number;
  readonly devMinor: number;
}

export interface ProtoInput {
  readonly entries: readonly ProtoEntry[];
  /** Host file holding each regular file's contents, by tar path (hard links resolve to their target's). */
  readonly sources: ReadonlyMap<string, string>;
  /** Files the builder writes instead of (or besides) the tar's, by path: root-owned, mode 0644. */
  readonly writes: ReadonlyMap<string, string>;
  /** Tar paths to leave out (e.g. `.dockerenv`). */
  readonly omit: ReadonlySet<string>;
}

export interface Protofile {
  readonly text: string;
  /** Entries whose mode proto.c cannot express (sticky bit): `path` (absolute) and the full st_mode to write. */
  readonly modeFixups: ReadonlyArray<{ readonly path: string; readonly mode: number }>;
  /** Hard-link entries written as separate copies. */
  readonly hardLinksCopied: number;
}

interface Node {
  spec: string;
  children?: Map<string, Node>;
}

const TYPE_LETTER: Partial<Record<TarEntryType, string>> = {
  file: '-', hardlink: '-', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p',
};

const S_IFMT: Partial<Record<TarEntryType, number>> = {
  file: 0o100000, hardlink: 0o100000, dir: 0o040000, symlink: 0o120000, char: 0o020000, block: 0o060000, fifo: 0o010000,
};

export function buildProtofile(input: ProtoInput): Protofile {
  const byPath = new Map<string, ProtoEntry>();
  for (const e of input.entries) byPath.set(e.path, e);
  const root: Node = { spec: 'd--755 0 0', children: new Map() };
  const modeFixups: Array<{ path: string; mode: number }> = [];
  let hardLinksCopied = 0;

  const dirNode = (dirPath: string): Node => {
    if (dirPath === '') return root;
    const parent = dirNode(parentOf(dirPath));
    const name = baseOf(dirPath);
    let node = parent.children!.get(name);
    if (!node) {
      // a directory the tar implies but does not list: root-owned 0755, as tar -x makes it
      node = { spec: 'd--755 0 0', children: new Map() };
      parent.children!.set(name, node);
    } else if (!node.children) {
      throw new SpecError(`the rootfs tar holds /${dirPath} as a file and also files below it; make the tar again`);
    }
    return node;
  };

  const place = (p: string, node: Node) => {
    for (const part of p.split('/')) checkToken(part, p, 'its name');
    const parent = dirNode(parentOf(p));
    const existing = parent.children!.get(baseOf(p));
    if (existing?.children && node.children) existing.spec = node.spec;
    else parent.children!.set(baseOf(p), node);
  };

  for (const e of byPath.values()) {
    if (input.omit.has(e.path) || input.writes.has(e.path)) continue;
    if (e.path === '') {
      root.spec = `${modeString('dir', e.mode)} ${e.uid} ${e.gid}`;
      if (e.mode & 0o1000) modeFixups.push({ path: '/', mode: S_IFMT.dir! | (e.mode & 0o7777) });
      continue;
    }
    let meta = e;
    let source: string | undefined;
    if (e.type === 'hardlink') {
      const target = byPath.get(e.linkTarget);
      if (!target || target.type !== 'file') {
        throw new SpecError(`the rootfs tar's hard link /${e.path} points to /${e.linkTarget}, which is not a regular file in the tar; make the tar again`);
      }
      meta = target;
      source = input.sources.get(target.path);
      hardLinksCopied++;
    } else if (e.type === 'file') {
      source = input.sources.get(e.path);
    }
    const type = meta.type === 'hardlink' ? 'file' : meta.type;
    const head = `${modeString(type, meta.mode)} ${meta.uid} ${meta.gid}`;
    let spec: string;
    switch (type) {
      case 'file':
        if (source === undefined) throw new Error(`buildProtofile: no contents for /${e.path} (this is a bug)`);
        checkSourcePath(source);
        spec = `${head} ${source}`;
        break;
      case 'symlink':
        checkToken(meta.linkTarget, e.path, 'its symlink target');
        checkSymlinkLength(meta.linkTarget, e.path);
        spec = `${head} ${meta.linkTarget}`;
        break;
      case 'char':
      case 'block':
        spec = `${head} ${meta.devMajor} ${meta.devMinor}`;
        break;
      default:
        spec = head;
    }
    if (meta.mode & 0o1000) modeFixups.push({ path: `/${e.path}`, mode: S_IFMT[type]! | (meta.mode & 0o7777) });
    place(e.path, { spec, children: type === 'dir' ? new Map() : undefined });
  }
  for (const [p, source] of input.writes) {
    checkSourcePath(source);
    place(p, { spec: `---644 0 0 ${source}` });
  }

  const lines = ['cdktf-docker-vm', '0 0', root.spec];
  const walk = (node: Node, depth: number) => {
    for (const name of [...node.children!.keys()].sort()) {
      const child = node.children!.get(name)!;
      lines.push(`${'  '.repeat(depth)}${name} ${child.spec}`);
      if (child.children) walk(child, depth + 1);
    }
    lines.push(`${'  '.repeat(depth)}$`);
  };
  walk(root, 1);
  return { text: lines.join('\n') + '\n', modeFixups: modeFixups.sort((a, b) => a.path.localeCompare(b.path)), hardLinksCopied };
}

/** proto.c's mode token: type letter, `u`/`-`, `g`/`-`, three octal digits (the sticky bit has no place). */
export function modeString(type: TarEntryType, mode: number): string {
  const letter = TYPE_LETTER[type];
  if (!letter) throw new Error(`modeString: unknown type ${type}`);
  return `${letter}${mode & 0o4000 ? 'u' : '-'}${mode & 0o2000 ? 'g' : '-'}${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** xfs_db commands that write the modes proto.c could not (run with `xfs_db -x -c 'source FILE'`). */
export function modeFixupCommands(fixups: Protofile['modeFixups']): string {
  return fixups.map(f => `path ${f.path}\nwrite core.mode 0${f.mode.toString(8)}\n`).join('');
}

function checkToken(token: string, entryPath: string, what: string): void {
  const problem = /\s/.test(token) ? 'whitespace'
    : token.startsWith(':') ? 'a leading ":" (a comment in a protofile)'
      : token === '$' && what === 'its name' ? 'the name "$" (the end of a directory in a protofile)'
        : token === '' ? 'an empty name' : undefined;
  if (problem) {
    throw new SpecError(
      `the rootfs holds /${entryPath}, and ${what} ${JSON.stringify(token)} contains ${problem}, which mkfs.xfs -p cannot write; ` +
      'rename it in the image, or use --root-fs ext4',
    );
  }
}

function checkSymlinkLength(target: string, entryPath: string): void {
  const bytes = Buffer.byteLength(target);
  if (bytes > XFS_MAX_LOCAL_SYMLINK_BYTES) {
    throw new SpecError(
      `the rootfs holds /${entryPath}, a symlink whose target is ${bytes} bytes long; mkfs.xfs -p (xfsprogs 6.1) writes a target over ` +
      `${XFS_MAX_LOCAL_SYMLINK_BYTES} bytes corrupt; shorten the link in the image, or use --root-fs ext4`,
    );
  }
}

function checkSourcePath(p: string): void {
  if (/\s/.test(p) || p.startsWith(':')) {
    throw new SpecError(`the cache directory path ${JSON.stringify(p)} contains whitespace, which an XFS protofile cannot name; pass --cache-dir DIR without spaces, or use --root-fs ext4`);
  }
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
