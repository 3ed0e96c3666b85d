import type { BootloaderMeta } from './meta';
import { bootloaderTools, firmwareOf } from './plan';
import { runBootloader } from './run';
import { StageDefinition } from '../common/stage-definition';
import type { DiskMeta } from '../disk/meta';
import type { RootfsMeta } from '../rootfs/meta';
import { BootloaderSpec } from '../spec';

/** The disk with syslinux, the kernel and the initrd on its boot partition: a bootable disk. */
export const bootloaderStage: StageDefinition<BootloaderSpec, { rootfs: RootfsMeta; disk: DiskMeta }, BootloaderMeta> = {
  name: 'bootloader',
  // the rootfs is read for the kernel and initrd, the disk is what gets the bootloader
  upstream: spec => ({ rootfs: spec.disk.rootfs, disk: spec.disk }),
  tools: spec => bootloaderTools(spec),
  inputs: spec => ({
    // absent and 'bios' make the same image: only another firmware joins the options
    options: { extraKernelArgs: spec.extraKernelArgs, ...(firmwareOf(spec) !== 'bios' ? { firmware: firmwareOf(spec) } : {}) },
  }),
  artifact: () => 'disk.raw',
  mapPaths: (spec, _map, mapUpstream) => ({ ...spec, disk: mapUpstream(spec.disk) }),
  run: (spec, upstream, ctx) => runBootloader(spec, upstream.rootfs, upstream.disk, ctx),
};
