import type { DiskImageProps } from './disk-image';
import { PartitionTable } from './partition-table';
import { MIN_BOOT_PARTITION_MIB } from '../../builder/spec';
import { isKnown, isToken, ValidationRule } from '../private/validate';

/** The largest disk an MBR partition table can address (2 TiB). */
export const MBR_MAX_SIZE_GIB = 2048;

export const DISK_IMAGE_RULES: readonly ValidationRule<DiskImageProps>[] = [
  {
    fails: p => isToken(p.sizeGiB) || isToken(p.bootPartitionSizeMiB),
    message: () => 'sizeGiB and bootPartitionSizeMiB must be known at synth time, got a token; pass plain numbers (they are part of the fingerprint)',
  },
  {
    fails: p => isKnown(p.sizeGiB) && (!Number.isInteger(p.sizeGiB) || p.sizeGiB < 1),
    message: p => `sizeGiB must be a whole number of GiB, 1 or more, got ${p.sizeGiB}; leave it unset to size from the rootfs`,
  },
  {
    fails: p => isKnown(p.sizeGiB) && (p.partitionTable ?? PartitionTable.MBR) === PartitionTable.MBR && p.sizeGiB > MBR_MAX_SIZE_GIB,
    message: p => `sizeGiB must be ${MBR_MAX_SIZE_GIB} or less with an MBR partition table, got ${p.sizeGiB}; use partitionTable: PartitionTable.GPT or a smaller disk`,
  },
  {
    fails: p => isKnown(p.bootPartitionSizeMiB) && (!Number.isInteger(p.bootPartitionSizeMiB) || p.bootPartitionSizeMiB < MIN_BOOT_PARTITION_MIB),
    message: p => `bootPartitionSizeMiB must be a whole number of MiB, ${MIN_BOOT_PARTITION_MIB} or more, got ${p.bootPartitionSizeMiB}; leave it unset for the default`,
  },
  {
    fails: p => isKnown(p.bootPartitionSizeMiB) && isKnown(p.sizeGiB) && p.bootPartitionSizeMiB >= p.sizeGiB * 1024 / 2,
    message: p => `bootPartitionSizeMiB must be less than half the disk (sizeGiB ${p.sizeGiB}), got ${p.bootPartitionSizeMiB}; make the boot partition smaller or the disk larger`,
  },
  {
    fails: p => p.partitionTable !== undefined && !Object.values(PartitionTable).includes(p.partitionTable),
    message: p => `partitionTable must be one of ${Object.values(PartitionTable).join(', ')}, got ${p.partitionTable}; use the PartitionTable enum`,
  },
];
