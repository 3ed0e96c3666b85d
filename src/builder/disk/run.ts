import { rmSync, statfsSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DiskMeta } from './meta';
import { DiskPlan, planDisk } from './plan';
import { makeXfsRoot } from './xfs-root';
import { BuilderError, SizeTooSmallError, ToolFailedError } from '../common/errors';
import { formatBytes } from '../common/progress';
import { reproducibleEnv, sourceDateEpoch } from '../common/reproducible';
import { StageInput, StageOutput, StageRunContext } from '../common/stage-definition';
import { ToolRunner } from '../common/tools';
import { RecordedEntries, recordedEntries } from '../rootfs/entries';
import type { RootfsMeta } from '../rootfs/meta';
import { DiskSpec } from '../spec';

const SANE_FILES: Readonly<Record<string, string>> = {
  'etc/hosts': '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n',
  'etc/hostname': 'localhost\n',
};

/** Partition table, FAT boot partition and ext4 root populated from the rootfs tar, all in one sparse file. */
export async function runDisk(spec: DiskSpec, rootfs: StageInput<RootfsMeta>, ctx: StageRunContext): Promise<StageOutput<DiskMeta>> {
  const { tmpDir, tools, progress } = ctx;
  const facts = rootfs.meta;
  const diskFile = ctx.artifact;
  const plan = planDisk(spec, facts, ctx.cacheKey, diskFile, rootfs.artifact);
  tools.require(plan.xfs ? ['sfdisk', 'mkfs.fat', 'mkfs.xfs', 'xfs_db', 'dd'] : ['sfdisk', 'mkfs.fat', 'mke2fs', 'debugfs']);
  const { layout } = plan;
  progress.step('disk', `${spec.partitionTable} table, boot ${formatBytes(layout.bootBytes)}, root ${formatBytes(layout.rootBytes)} (${spec.sizeMiB === undefined ? 'auto' : 'explicit'} size)`);

  truncateSync(createEmpty(diskFile), layout.totalBytes);
  await tools.run(plan.calls.partition, { input: plan.sfdiskScript });
  await tools.run(plan.calls.formatBoot);
  progress.step('disk', `writing ${plan.rootFilesystem} from ${formatBytes(facts.dataBytes)} of files`);
  const epoch = sourceDateEpoch(facts.newestMtime);
  try {
    if (plan.xfs) await writeXfsRoot(plan, recordedEntries(rootfs), rootfs.artifact, tmpDir, ctx);
    else await tools.run(plan.calls.formatRoot, { env: reproducibleEnv(epoch) });
  } catch (e) {
    if (e instanceof ToolFailedError && /no space|could not allocate|not enough space|too small/i.test(e.stderrTail)) {
      // The disk file is sparse: a full host filesystem looks the same to mke2fs as a root partition that is too small.
      const free = freeBytes(tmpDir);
      if (free !== undefined && free < HOST_FULL_BYTES) {
        const cacheDir = path.dirname(path.dirname(tmpDir));
        throw new BuilderError(
          `no space left in the cache directory ${cacheDir} (${formatBytes(free)} free) while writing the ${formatBytes(layout.totalBytes)} disk image; ` +
          `free some space there, or pass --cache-dir DIR on a filesystem with at least ${formatBytes(layout.totalBytes)} free`,
        );
      }
      throw new SizeTooSmallError(
        `the root filesystem (${formatBytes(layout.rootBytes)}) ran out of space while writing the rootfs; ` +
        `give a larger --size (at least ${Math.ceil((layout.totalBytes + 256 * 1024 * 1024) / 1024 ** 3)}G) or use --size auto`,
      );
    }
    throw e;
  }
  if (!plan.xfs) await applyFixups(plan, recordedEntries(rootfs), diskFile, tmpDir, tools, epoch);
  return {
    files: [path.basename(diskFile)],
    meta: { layout, ids: plan.ids, partitionTable: spec.partitionTable, ...(plan.xfs ? { rootFilesystem: 'xfs' as const } : {}) },
  };
}

/**
 * XFS: the fixups go into the protofile (fstab, sane hosts/hostname, no
 * /.dockerenv), mkfs.xfs writes a separate root file, dd copies it into the
 * disk sparsely, and the root file is removed.
 */
async function writeXfsRoot(plan: DiskPlan, entries: RecordedEntries, tarFile: string, tmpDir: string, ctx: StageRunContext): Promise<void> {
  const xfs = plan.xfs!;
  try {
    truncateSync(createEmpty(xfs.rootImage), plan.layout.rootBytes);
    const result = await makeXfsRoot({
      tarFile,
      rootImage: xfs.rootImage,
      workDir: tmpDir,
      protofile: xfs.protofile,
      mkfs: plan.calls.formatRoot,
      writes: new Map(Object.entries(fixupWrites(plan, entries))),
      omit: new Set(['.dockerenv']),
    }, ctx.tools);
    if (result.hardLinksCopied > 0) ctx.progress.step('disk', `xfs: ${result.hardLinksCopied} hard links written as separate copies (mkfs.xfs -p has no hard links)`);
    await ctx.tools.run(xfs.copyIntoDisk);
  } finally {
    rmSync(xfs.rootImage, { force: true });
    rmSync(xfs.protofile, { force: true });
  }
}

/**
 * The files the builder writes into a root, by path: the fstab, and
 * hosts/hostname where docker left them an empty regular file or nothing
 * (`emptyOrMissing` answers from wherever the root's files are described).
 */
export function rootFixupWrites(fstab: string, emptyOrMissing: (relPath: string) => boolean): Record<string, string> {
  const writes: Record<string, string> = { 'etc/fstab': fstab };
  for (const [p, content] of Object.entries(SANE_FILES)) if (emptyOrMissing(p)) writes[p] = content;
  return writes;
}

function fixupWrites(plan: DiskPlan, entries: RecordedEntries): Record<string, string> {
  return rootFixupWrites(plan.fstab, p => {
    const e = entries[p];
    return !e || (e.type === 'file' && e.size === 0);
  });
}

/** Below this much free space on the cache filesystem, an mke2fs "no space" is the host's, not the partition's. */
const HOST_FULL_BYTES = 16 * 1024 * 1024;

function freeBytes(dir: string): number | undefined {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return undefined;
  }
}

function createEmpty(file: string): string {
  writeFileSync(file, '');
  return file;
}

/**
 * Edits the new filesystem with debugfs (no mount): removes `/.dockerenv`
 * (systemd and cloud-init would think they run in a container), writes the
 * fstab by UUID, and replaces the empty files docker leaves for its bind mounts.
 */
async function applyFixups(
  plan: DiskPlan, entries: RecordedEntries, diskFile: string, tmpDir: string, tools: ToolRunner, epoch: number,
): Promise<void> {
  const byPath = new Map(Object.entries(entries));
  const writes = fixupWrites(plan, entries);
  const cmds: string[] = [];
  if (byPath.has('.dockerenv')) cmds.push('rm /.dockerenv');
  if (!byPath.has('etc')) cmds.push('mkdir /etc', 'sif /etc mode 040755');
  let i = 0;
  for (const [p, content] of Object.entries(writes)) {
    const local = path.join(tmpDir, `fixup-${i++}`);
    writeFileSync(local, content, { mode: 0o644 });
    if (byPath.has(p)) cmds.push(`rm /${p}`);
    cmds.push(
      `write ${local} /${p}`,
      `sif /${p} uid 0`, `sif /${p} gid 0`, `sif /${p} mode 0100644`,
      `sif /${p} mtime @${epoch}`, `sif /${p} ctime @${epoch}`, `sif /${p} atime @${epoch}`, `sif /${p} crtime @${epoch}`,
    );
  }
  const cmdFile = path.join(tmpDir, 'fixups.debugfs');
  writeFileSync(cmdFile, cmds.join('\n') + '\n');
  const device = `${diskFile}?offset=${plan.layout.rootOffsetBytes}`;
  await tools.run({ tool: 'debugfs', args: ['-w', '-f', cmdFile, device] }, { env: reproducibleEnv(epoch) });
  const { stdout } = await tools.run({ tool: 'debugfs', args: ['-R', 'cat /etc/fstab', device] });
  if (stdout !== plan.fstab) throw new BuilderError(`debugfs did not write /etc/fstab into ${diskFile}; this is a bug, please report it with the output of: debugfs -V`);
}
