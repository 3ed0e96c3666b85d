import type { DiskMeta } from './meta';
import { rootFilesystemOf } from './plan';
import { runDisk } from './run';
import { StageDefinition } from '../common/stage-definition';
import type { RootfsMeta } from '../rootfs/meta';
import { DiskSpec } from '../spec';

/** A sparse disk file: partition table, FAT boot partition and an ext4 root populated from the rootfs tar. */
export const diskStage: StageDefinition<DiskSpec, { rootfs: RootfsMeta }, DiskMeta> = {
  name: 'disk',
  upstream: spec => ({ rootfs: spec.rootfs }),
  tools: spec => rootFilesystemOf(spec) === 'xfs' ? ['sfdisk', 'mkfs.fat', 'mkfs.xfs', 'xfs_db', 'dd'] : ['sfdisk', 'mkfs.fat', 'mke2fs', 'debugfs'],
  // rootFilesystem only when not ext4, so the cache keys of existing ext4 disks stay as they were
  inputs: spec => ({
    options: {
      sizeMiB: spec.sizeMiB ?? 'auto',
      partitionTable: spec.partitionTable,
      bootPartitionMiB: spec.bootPartitionMiB,
      ...(rootFilesystemOf(spec) !== 'ext4' ? { rootFilesystem: rootFilesystemOf(spec) } : {}),
    },
  }),
  artifact: () => 'disk.raw',
  mapPaths: (spec, _map, mapUpstream) => ({ ...spec, rootfs: mapUpstream(spec.rootfs) }),
  run: (spec, upstream, ctx) => runDisk(spec, upstream.rootfs, ctx),
};
