import { statfsSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DiskMeta } from './meta';
import { DiskPlan, planDisk } from './plan';
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
  tools.require(['sfdisk', 'mkfs.fat', 'mke2fs', 'debugfs']);
  const { layout } = plan;
  progress.step('disk', `${spec.partitionTable} table, boot ${formatBytes(layout.bootBytes)}, root ${formatBytes(layout.rootBytes)} (${spec.sizeMiB === undefined ? 'auto' : 'explicit'} size)`);

  truncateSync(createEmpty(diskFile), layout.totalBytes);
  await tools.run(plan.calls.partition, { input: plan.sfdiskScript });
  await tools.run(plan.calls.formatBoot);
  progress.step('disk', `writing ext4 from ${formatBytes(facts.dataBytes)} of files`);
  const epoch = sourceDateEpoch(facts.newestMtime);
  try {
    await tools.run(plan.calls.formatRoot, { env: reproducibleEnv(epoch) });
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
  await applyFixups(plan, recordedEntries(rootfs), diskFile, tmpDir, tools, epoch);
  return {
    files: [path.basename(diskFile)],
    meta: { layout, ids: plan.ids, partitionTable: spec.partitionTable },
  };
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
  const writes: Record<string, string> = { 'etc/fstab': plan.fstab };
  for (const [p, content] of Object.entries(SANE_FILES)) {
    const e = byPath.get(p);
    if (!e || (e.type === 'file' && e.size === 0)) writes[p] = content;
  }
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
