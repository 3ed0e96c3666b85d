import { closeSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ProtoEntry, buildProtofile, modeFixupCommands } from './protofile';
import { copyRangeToFile } from '../common/copy-range';
import { TarEntry, indexTar, readNumber } from '../common/tar-index';
import { ToolCall, ToolRunner } from '../common/tools';

const BLOCK = 512;
const CHUNK = 4 * 1024 * 1024;

/**
 * Owner and device numbers of each entry, from its ustar header (the block
 * before its data): uid 108, gid 116, devmajor 329, devminor 337, octal or GNU
 * base-256, overridden by PAX `uid`/`gid` records (ids above 2097151).
 */
export function readProtoEntries(tarFile: string, index: readonly TarEntry[]): ProtoEntry[] {
  const fd = openSync(tarFile, 'r');
  try {
    const owners = paxOwners(fd, index);
    const header = Buffer.alloc(BLOCK);
    return index.map(e => {
      readSync(fd, header, 0, BLOCK, e.dataOffset - BLOCK);
      const pax = owners.get(e.dataOffset) ?? {};
      return {
        path: e.path,
        type: e.type,
        mode: e.mode,
        linkTarget: e.linkTarget,
        uid: pax.uid ?? readNumber(header, 108, 8),
        gid: pax.gid ?? readNumber(header, 116, 8),
        devMajor: readNumber(header, 329, 8),
        devMinor: readNumber(header, 337, 8),
      };
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * PAX uid/gid records by the data offset of the entry they belong to: an 'x'
 * header's records apply to the next entry, a 'g' header's to all that follow.
 * Walks only the headers that precede the index's entries (the index holds
 * every entry, so its data offsets bound the walk).
 */
function paxOwners(fd: number, index: readonly TarEntry[]): Map<number, { uid?: number; gid?: number }> {
  const out = new Map<number, { uid?: number; gid?: number }>();
  const header = Buffer.alloc(BLOCK);
  let global: { uid?: number; gid?: number } = {};
  let local: { uid?: number; gid?: number } = {};
  let offset = 0;
  for (const e of index) {
    // walk the extension headers between the previous entry and this one
    while (offset < e.dataOffset - BLOCK) {
      readSync(fd, header, 0, BLOCK, offset);
      const type = String.fromCharCode(header[156]);
      const size = readNumber(header, 124, 12);
      if (type === 'x' || type === 'g') {
        const data = Buffer.alloc(size);
        readSync(fd, data, 0, size, offset + BLOCK);
        const ids = paxIds(data);
        if (type === 'x') local = ids;
        else global = { ...global, ...ids };
      }
      offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    }
    const ids = { ...global, ...local };
    if (ids.uid !== undefined || ids.gid !== undefined) out.set(e.dataOffset, ids);
    local = {};
    let size = e.size;
    if (e.type !== 'file') {
      readSync(fd, header, 0, BLOCK, e.dataOffset - BLOCK);
      size = readNumber(header, 124, 12);
    }
    offset = e.dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}

function paxIds(data: Buffer): { uid?: number; gid?: number } {
  const out: { uid?: number; gid?: number } = {};
  for (const m of data.toString('utf8').matchAll(/(?:^|\n)\d+ (uid|gid)=(\d+)(?=\n)/g)) out[m[1] as 'uid' | 'gid'] = Number(m[2]);
  return out;
}

/** Copies each regular file's data out of the tar into DIR/N (as the build user; the protofile carries owners and modes). */
export function extractRegularFiles(tarFile: string, index: readonly TarEntry[], dir: string): Map<string, string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const sources = new Map<string, string>();
  const fd = openSync(tarFile, 'r');
  const buf = Buffer.alloc(CHUNK);
  try {
    let n = 0;
    for (const e of index) {
      if (e.type !== 'file') continue;
      const out = path.join(dir, String(n++));
      copyRangeToFile(fd, e.dataOffset, e.size, out, at => new Error(`short read in ${tarFile} at byte ${at}`), 0o600, buf);
      sources.set(e.path, out);
    }
  } finally {
    closeSync(fd);
  }
  return sources;
}

export interface XfsRootJob {
  readonly tarFile: string;
  /** The root filesystem file mkfs.xfs writes (copied into the disk at its offset afterwards). */
  readonly rootImage: string;
  readonly workDir: string;
  /** Where the protofile goes; `mkfs` reads it. */
  readonly protofile: string;
  readonly mkfs: ToolCall;
  /** Files the builder writes (fstab, sane hosts/hostname), by tar path, with their contents. */
  readonly writes: ReadonlyMap<string, string>;
  readonly omit: ReadonlySet<string>;
}

/**
 * Builds the XFS root filesystem file: index the tar, extract its regular
 * files to a scratch directory, write the protofile, run mkfs.xfs, then let
 * xfs_db write the modes the protofile cannot (sticky bits). The scratch
 * directory is removed whatever happens.
 */
export async function makeXfsRoot(job: XfsRootJob, tools: ToolRunner): Promise<{ hardLinksCopied: number; modeFixups: number }> {
  const index = indexTar(job.tarFile);
  const filesDir = path.join(job.workDir, 'xfs-files');
  try {
    const sources = extractRegularFiles(job.tarFile, index, filesDir);
    const writes = new Map<string, string>();
    let i = 0;
    for (const [p, content] of job.writes) {
      const local = path.join(filesDir, `w${i++}`);
      writeFileSync(local, content, { mode: 0o644 });
      writes.set(p, local);
    }
    const proto = buildProtofile({ entries: readProtoEntries(job.tarFile, index), sources, writes, omit: job.omit });
    writeFileSync(job.protofile, proto.text);
    await tools.run(job.mkfs);
    if (proto.modeFixups.length > 0) {
      const cmdFile = path.join(job.workDir, 'modes.xfs_db');
      writeFileSync(cmdFile, modeFixupCommands(proto.modeFixups));
      await tools.run({ tool: 'xfs_db', args: ['-x', '-c', `source ${cmdFile}`, job.rootImage] });
    }
    return { hardLinksCopied: proto.hardLinksCopied, modeFixups: proto.modeFixups.length };
  } finally {
    rmSync(filesDir, { recursive: true, force: true });
  }
}
