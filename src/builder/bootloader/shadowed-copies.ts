import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ToolRunner } from '../common/tools';

/** The ext4 block size the disk stage formats with (mke2fs -b 4096). */
const EXT4_BLOCK_BYTES = 4096;
/** Paths debugfs reads as one word: the kernel and initrd names distributions use. */
const PLAIN_BOOT_PATH = /^boot\/[A-Za-z0-9._+@=-]+$/;

export interface ShadowedCopies {
  /** The bootable disk being written. */
  readonly disk: string;
  readonly rootOffsetBytes: number;
  /** The kernel and initrd paths (in the tar, no leading slash) now on the FAT partition. */
  readonly paths: readonly string[];
  readonly tmpDir: string;
  /** debugfs's environment (SOURCE_DATE_EPOCH for the directory's times). */
  readonly env: NodeJS.ProcessEnv;
}

/** A file's link count and the disk blocks of its data, from `debugfs stat`. */
export interface ExtentFacts {
  readonly regular: boolean;
  readonly links: number;
  /** Runs of filesystem blocks: [first, count]. */
  readonly runs: ReadonlyArray<readonly [number, number]>;
}

/**
 * Removes from the ext4 root the kernel and initrd the bootloader stage copied
 * to the FAT partition, when they are under /boot: the guest mounts the FAT
 * partition on /boot (the fstab the disk stage writes), which hides the root's
 * /boot, so that copy is never read. It is about 44 MB of already compressed
 * data in every upload file. Their blocks are freed (debugfs rm) and punched
 * out of the disk file, so they read as zeros. A file with another hard link
 * is left alone. Returns the paths removed.
 */
export async function dropShadowedCopies(input: ShadowedCopies, tools: ToolRunner): Promise<string[]> {
  const device = `${input.disk}?offset=${input.rootOffsetBytes}`;
  const dropped: Array<{ path: string; facts: ExtentFacts }> = [];
  for (const p of new Set(input.paths)) {
    if (!PLAIN_BOOT_PATH.test(p)) continue;
    const { stdout } = await tools.run({ tool: 'debugfs', args: ['-R', `stat /${p}`, device] }, { env: { ...input.env, DEBUGFS_PAGER: '__none__' } });
    const facts = parseDebugfsStat(stdout);
    if (facts && facts.regular && facts.links === 1) dropped.push({ path: p, facts });
  }
  if (dropped.length === 0) return [];
  const cmdFile = path.join(input.tmpDir, 'drop-shadowed.debugfs');
  writeFileSync(cmdFile, dropped.map(d => `rm /${d.path}\n`).join(''));
  await tools.run({ tool: 'debugfs', args: ['-w', '-f', cmdFile, device] }, { env: input.env });
  for (const [first, count] of mergeRuns(dropped.flatMap(d => d.facts.runs))) {
    await tools.run({
      tool: 'fallocate',
      args: ['--punch-hole', '--offset', String(input.rootOffsetBytes + first * EXT4_BLOCK_BYTES), '--length', String(count * EXT4_BLOCK_BYTES), input.disk],
    });
  }
  return dropped.map(d => d.path);
}

/**
 * The facts of `debugfs -R 'stat FILE'` output: `Type: regular`, `Links: N`, and the
 * EXTENTS list, `(0-2047):34816-36863, (2048):40000, (ETB0):33280` (index blocks,
 * `ETB`, are left out: they are a few blocks of metadata). Undefined when the
 * output has no inode (a missing file).
 */
export function parseDebugfsStat(out: string): ExtentFacts | undefined {
  const type = /Type:\s+(\S+)/.exec(out);
  const links = /Links:\s+(\d+)/.exec(out);
  if (!type || !links) return undefined;
  const runs: Array<[number, number]> = [];
  const extents = out.indexOf('EXTENTS:');
  if (extents >= 0) {
    for (const m of out.slice(extents).matchAll(/\((\d+)(?:-(\d+))?\):(\d+)(?:-(\d+))?/g)) {
      const first = Number(m[3]);
      const last = m[4] === undefined ? first : Number(m[4]);
      runs.push([first, last - first + 1]);
    }
  }
  return { regular: type[1] === 'regular', links: Number(links[1]), runs };
}

/** Sorted runs with adjacent and overlapping ones joined: fewer fallocate calls. */
export function mergeRuns(runs: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = [...runs].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [first, count] of sorted) {
    const prev = out[out.length - 1];
    if (prev && first <= prev[0] + prev[1]) prev[1] = Math.max(prev[1], first + count - prev[0]);
    else out.push([first, count]);
  }
  return out;
}
