import type { DiskMeta } from './meta';
import { runDisk } from './run';
import { StageDefinition } from '../common/stage-definition';
import type { RootfsMeta } from '../rootfs/meta';
import { DiskSpec } from '../spec';

/** A sparse disk file: partition table, FAT boot partition and an ext4 root populated from the rootfs tar. */
export const diskStage: StageDefinition<DiskSpec, { rootfs: RootfsMeta }, DiskMeta> = {
  name: 'disk',
  upstream: spec => ({ rootfs: spec.rootfs }),
  tools: () => ['sfdisk', 'mkfs.fat', 'mke2fs', 'debugfs'],
  inputs: spec => ({ options: { sizeMiB: spec.sizeMiB ?? 'auto', partitionTable: spec.partitionTable, bootPartitionMiB: spec.bootPartitionMiB } }),
  artifact: () => 'disk.raw',
  mapPaths: (spec, _map, mapUpstream) => ({ ...spec, rootfs: mapUpstream(spec.rootfs) }),
  run: (spec, upstream, ctx) => runDisk(spec, upstream.rootfs, ctx),
};
