import { rmSync, closeSync, copyFileSync, existsSync, openSync, readFileSync, utimesSync, writeSync, writeFileSync, createWriteStream, createReadStream } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BootloaderMeta } from './meta';
import { BootFiles, LDLINUX_E64_DIRS, SYSLINUX_DIRS, SYSLINUX_EFI_DIRS, bootloaderTools, firmwareOf, planBootloader } from './plan';
import { dropShadowedCopies } from './shadowed-copies';
import { NoKernelError, ToolMissingError } from '../common/errors';
import { formatBytes } from '../common/progress';
import { reproducibleEnv, sourceDateEpoch } from '../common/reproducible';
import { StageInput, StageOutput, StageRunContext } from '../common/stage-definition';
import type { DiskMeta } from '../disk/meta';
import { RecordedEntry, recordedEntries, requiredEntry } from '../rootfs/entries';
import type { RootfsMeta } from '../rootfs/meta';
import { BootloaderSpec } from '../spec';

const MBR_CODE_BYTES = 440;

export async function runBootloader(
  spec: BootloaderSpec, rootfs: StageInput<RootfsMeta>, disk: StageInput<DiskMeta>, ctx: StageRunContext,
): Promise<StageOutput<BootloaderMeta>> {
  const { tmpDir, tools, progress } = ctx;
  const facts = rootfs.meta;
  const kernelPath = facts.kernel;
  if (!kernelPath) {
    throw new NoKernelError(
      'no kernel found in the rootfs (looked for /boot/vmlinuz-*, /vmlinuz, /boot/vmlinuz-virt, /lib/modules/*/vmlinuz); ' +
      'install one in the image (Debian/Ubuntu: apt-get install linux-image-amd64 / linux-image-virtual; Alpine: apk add linux-virt; Fedora: dnf install kernel-core)',
    );
  }
  tools.require(bootloaderTools(spec));
  const uefi = firmwareOf(spec) === 'uefi';
  const efiSources = uefi ? findSyslinuxEfi() : undefined;
  const mbrCodeDir = uefi ? undefined : findSyslinuxDir();
  const diskMeta = disk.meta;
  const diskFile = ctx.artifact;
  progress.step('bootloader', `copying disk (${formatBytes(disk.entry.files[0].bytes)} apparent)`);
  await tools.run({ tool: 'cp', args: ['--reflink=auto', '--sparse=always', '--', disk.artifact, diskFile] });

  const tarFile = rootfs.artifact;
  const entries = recordedEntries(rootfs);
  const kernel = path.join(tmpDir, 'vmlinuz');
  await extractEntry(tarFile, requiredEntry(entries, kernelPath, rootfs), kernel);
  let initrd: string | undefined;
  if (facts.initrd) {
    initrd = path.join(tmpDir, 'initrd.img');
    await extractEntry(tarFile, requiredEntry(entries, facts.initrd, rootfs), initrd);
  } else {
    progress.step('bootloader', 'no initrd found: the kernel must have virtio and ext4 built in');
  }
  const syslinuxCfg = path.join(tmpDir, 'syslinux.cfg');
  // local copies of the EFI files: their times are set to the rootfs epoch below, never the host's files
  const efi = efiSources ? { loader: path.join(tmpDir, 'BOOTX64.EFI'), ldlinux: path.join(tmpDir, 'ldlinux.e64') } : undefined;
  if (efiSources && efi) {
    copyFileSync(efiSources.loader, efi.loader);
    copyFileSync(efiSources.ldlinux, efi.ldlinux);
  }
  const files: BootFiles = { kernel, initrd, syslinuxCfg, efi };
  const plan = planBootloader(spec, diskMeta.ids.rootUuid, diskMeta.partitionTable, diskFile, diskMeta.layout.bootOffsetBytes, files);
  writeFileSync(syslinuxCfg, plan.syslinuxCfg);
  // FAT directory entries carry times: give the copied files the rootfs's epoch (reproducible images).
  const epoch = sourceDateEpoch(facts.newestMtime);
  for (const c of plan.copies) utimesSync(c.local, epoch, epoch);
  progress.step('bootloader', `syslinux (${uefi ? 'UEFI: EFI/BOOT/BOOTX64.EFI on an EFI System Partition' : 'BIOS'}), kernel /${facts.kernel}${facts.initrd ? `, initrd /${facts.initrd}` : ''}`);
  progress.step('bootloader', `kernel command line: ${plan.kernelCmdline}`);
  for (const call of plan.calls) await tools.run(call, { env: { ...reproducibleEnv(epoch), MTOOLS_SKIP_CHECK: '1' } });
  if (plan.mbrCode && mbrCodeDir) writeMbrCode(diskFile, readFileSync(path.join(mbrCodeDir, plan.mbrCode)));
  if (diskMeta.rootFilesystem !== 'xfs') {
    const dropped = await dropShadowedCopies({
      disk: diskFile,
      rootOffsetBytes: diskMeta.layout.rootOffsetBytes,
      paths: [kernelPath, facts.initrd].filter((p): p is string => !!p),
      tmpDir,
      env: reproducibleEnv(epoch),
    }, tools);
    if (dropped.length) progress.step('bootloader', `removed the root's copy of ${dropped.map(p => `/${p}`).join(' and ')}: the guest mounts the boot partition on /boot, which hides it`);
  }
  // The kernel and initrd are in the disk now: 40+ MiB the cache entry need not keep.
  for (const c of plan.copies) rmSync(c.local, { force: true });
  return {
    files: [path.basename(diskFile)],
    meta: { kernelCmdline: plan.kernelCmdline, kernel: kernelPath, initrd: facts.initrd ?? null, ...(uefi ? { firmware: 'uefi' as const } : {}) },
  };
}

function findSyslinuxDir(): string {
  for (const base of SYSLINUX_DIRS) {
    for (const dir of [path.join(base, 'mbr'), base]) {
      if (existsSync(path.join(dir, 'mbr.bin'))) return dir;
    }
  }
  throw new ToolMissingError(`syslinux MBR boot code (mbr.bin) not found in ${SYSLINUX_DIRS.join(', ')}; install it with: apt-get install syslinux-common`);
}

function findSyslinuxEfi(): { loader: string; ldlinux: string } {
  const find = (name: string, dirs: readonly string[], pkg: string) => {
    const dir = dirs.find(d => existsSync(path.join(d, name)));
    if (!dir) throw new ToolMissingError(`syslinux's EFI ${name} not found in ${dirs.join(', ')}; install it with: apt-get install ${pkg} (needed for firmware uefi)`);
    return path.join(dir, name);
  };
  return { loader: find('syslinux.efi', SYSLINUX_EFI_DIRS, 'syslinux-efi'), ldlinux: find('ldlinux.e64', LDLINUX_E64_DIRS, 'syslinux-common') };
}

function writeMbrCode(diskFile: string, code: Buffer): void {
  const fd = openSync(diskFile, 'r+');
  try {
    writeSync(fd, code, 0, Math.min(code.length, MBR_CODE_BYTES), 0);
  } finally {
    closeSync(fd);
  }
}

async function extractEntry(tarFile: string, entry: RecordedEntry, out: string): Promise<void> {
  if (entry.size === 0) {
    copyFileSync('/dev/null', out);
    return;
  }
  await pipeline(createReadStream(tarFile, { start: entry.dataOffset, end: entry.dataOffset + entry.size - 1 }), createWriteStream(out));
}
