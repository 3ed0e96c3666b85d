import * as path from 'node:path';
import { BuilderError } from '../common/errors';
import { PartitionTable, isMarkedBootable, parsePartitionTable } from '../common/partition-table';
import { ToolCall } from '../common/tools';

/**
 * Byte offset of the boot partition in `sfdisk --json` output: the one marked
 * bootable (MBR) or LegacyBIOSBootable (GPT), as the bootloader stage makes it.
 */
export function bootPartitionOffset(sfdiskJson: string, image: string): number {
  let table: PartitionTable;
  try {
    table = parsePartitionTable(sfdiskJson);
  } catch {
    throw new BuilderError(`cannot read the partition table of ${image}; is it a disk image made by cdktf-docker-vm build?`);
  }
  const boot = table.partitions.find(isMarkedBootable);
  if (!boot) {
    throw new BuilderError(`${image} has no bootable partition to read a kernel from; boot it without --direct-kernel, or build it with cdktf-docker-vm build`);
  }
  return boot.startBytes;
}

export interface BootFileCopies {
  readonly kernel: string;
  readonly initrd: string;
  readonly syslinuxCfg: string;
  readonly calls: readonly ToolCall[];
}

/**
 * mcopy calls that read the kernel, initrd and syslinux.cfg the bootloader
 * stage wrote (bootloader/plan.ts) out of the FAT partition, with no mount.
 */
export function planBootFileCopies(rawImage: string, bootOffsetBytes: number, outDir: string): BootFileCopies {
  const fat = `${rawImage}@@${bootOffsetBytes}`;
  const kernel = path.join(outDir, 'vmlinuz');
  const initrd = path.join(outDir, 'initrd.img');
  const syslinuxCfg = path.join(outDir, 'syslinux.cfg');
  return {
    kernel,
    initrd,
    syslinuxCfg,
    calls: [
      { tool: 'mcopy', args: ['-n', '-i', fat, '::/vmlinuz', kernel] },
      { tool: 'mcopy', args: ['-n', '-i', fat, '::/syslinux.cfg', syslinuxCfg] },
    ],
  };
}

/** The initrd is optional in the bootloader stage: copy it only when syslinux.cfg names one. */
export function initrdCopy(rawImage: string, bootOffsetBytes: number, target: string): ToolCall {
  return { tool: 'mcopy', args: ['-n', '-i', `${rawImage}@@${bootOffsetBytes}`, '::/initrd.img', target] };
}

export function syslinuxCfgHasInitrd(cfg: string): boolean {
  return /^\s*INITRD\s+\/initrd\.img\s*$/im.test(cfg);
}
