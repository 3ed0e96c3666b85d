import { SizeTooSmallError, SpecError } from '../common/errors';
import { derivedHex32, derivedUuid, fatSerialForFstab } from '../common/ids';
import { ToolCall } from '../common/tools';
import { DiskSpec, MIN_BOOT_PARTITION_MIB } from '../spec';

export const MIB = 1024 * 1024;
const SECTOR = 512;
const INODE_SIZE = 256;
/** Fixed timestamp for files the builder writes, when SOURCE_DATE_EPOCH is not set. */
export const DEFAULT_SOURCE_DATE_EPOCH = 0;

export interface RootfsSizing {
  /** Bytes of file data in 4 KiB blocks (see analyzeRootfs). */
  readonly dataBytes: number;
  readonly entries: number;
}

export interface DiskLayout {
  readonly totalBytes: number;
  readonly bootOffsetBytes: number;
  readonly bootBytes: number;
  readonly rootOffsetBytes: number;
  readonly rootBytes: number;
  readonly inodes: number;
  readonly journalMiB: number;
  /** Smallest root filesystem that holds the rootfs. */
  readonly minRootBytes: number;
}

export interface DiskIds {
  readonly rootUuid: string;
  readonly rootHashSeed: string;
  readonly bootSerial: string;
  readonly diskId: string;
  readonly gptDiskGuid: string;
  readonly gptBootGuid: string;
  readonly gptRootGuid: string;
}

export interface DiskPlan {
  readonly layout: DiskLayout;
  readonly ids: DiskIds;
  readonly sfdiskScript: string;
  readonly fstab: string;
  readonly calls: {
    readonly partition: ToolCall;
    readonly formatBoot: ToolCall;
    readonly formatRoot: ToolCall;
  };
}

/**
 * Root filesystem size, when not given:
 *   minimum = file data + inode tables + journal + 2% + 4 MiB of ext4 metadata
 *   auto    = minimum + max(30% of file data, 256 MiB) of free space,
 *             rounded up to 64 MiB.
 * Inodes: 1.5 per rootfs entry, at least 16384.
 */
export function planLayout(spec: DiskSpec, rootfs: RootfsSizing): DiskLayout {
  const inodes = Math.max(16384, Math.ceil(rootfs.entries * 1.5));
  const journalMiB = rootfs.dataBytes < 256 * MIB ? 16 : 64;
  const minRootBytes = roundUp(
    rootfs.dataBytes + inodes * INODE_SIZE + journalMiB * MIB + Math.ceil(rootfs.dataBytes * 0.02) + 4 * MIB,
    MIB,
  );
  const bootBytes = spec.bootPartitionMiB * MIB;
  const bootOffsetBytes = MIB;
  const rootOffsetBytes = bootOffsetBytes + bootBytes;
  const gptBackupBytes = spec.partitionTable === 'gpt' ? MIB : 0;
  const overheadBytes = rootOffsetBytes + gptBackupBytes;

  let rootBytes: number;
  if (spec.sizeMiB === undefined) {
    rootBytes = roundUp(minRootBytes + Math.max(Math.ceil(rootfs.dataBytes * 0.3), 256 * MIB), 64 * MIB);
  } else {
    rootBytes = spec.sizeMiB * MIB - overheadBytes;
    if (rootBytes < minRootBytes) {
      const neededMiB = (minRootBytes + overheadBytes) / MIB;
      throw new SizeTooSmallError(
        `disk size ${formatMiB(spec.sizeMiB)} is too small: this rootfs needs a disk of at least ${formatMiB(neededMiB)} ` +
        `(${formatMiB(minRootBytes / MIB)} for the root filesystem plus ${formatMiB(overheadBytes / MIB)} for the partition table and boot partition); ` +
        `use --size auto or --size ${Math.ceil(neededMiB / 1024)}G`,
      );
    }
  }
  return {
    totalBytes: overheadBytes + rootBytes,
    bootOffsetBytes,
    bootBytes,
    rootOffsetBytes,
    rootBytes,
    inodes,
    journalMiB,
    minRootBytes,
  };
}

export function planIds(fingerprint: string): DiskIds {
  return {
    rootUuid: derivedUuid(fingerprint, 'root-fs'),
    rootHashSeed: derivedUuid(fingerprint, 'root-hash-seed'),
    bootSerial: derivedHex32(fingerprint, 'boot-fat-serial'),
    diskId: derivedHex32(fingerprint, 'mbr-disk-id'),
    gptDiskGuid: derivedUuid(fingerprint, 'gpt-disk'),
    gptBootGuid: derivedUuid(fingerprint, 'gpt-boot'),
    gptRootGuid: derivedUuid(fingerprint, 'gpt-root'),
  };
}

/** Decides layout, identifiers and the argv of every tool. No I/O. */
export function planDisk(spec: DiskSpec, rootfs: RootfsSizing, fingerprint: string, diskFile: string, rootfsTar: string): DiskPlan {
  if (spec.bootPartitionMiB < MIN_BOOT_PARTITION_MIB) {
    throw new SpecError(`boot partition size ${spec.bootPartitionMiB} MiB is too small; use at least ${MIN_BOOT_PARTITION_MIB} MiB (the kernel and initrd live there)`);
  }
  const layout = planLayout(spec, rootfs);
  const ids = planIds(fingerprint);
  const sectors = (bytes: number) => bytes / SECTOR;
  const sfdiskScript = spec.partitionTable === 'gpt'
    ? [
      'label: gpt',
      `label-id: ${ids.gptDiskGuid.toUpperCase()}`,
      'unit: sectors',
      'first-lba: 2048',
      '',
      `start=${sectors(layout.bootOffsetBytes)}, size=${sectors(layout.bootBytes)}, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=${ids.gptBootGuid.toUpperCase()}, name="boot", attrs="LegacyBIOSBootable"`,
      `start=${sectors(layout.rootOffsetBytes)}, size=${sectors(layout.rootBytes)}, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=${ids.gptRootGuid.toUpperCase()}, name="root"`,
      '',
    ].join('\n')
    : [
      'label: dos',
      `label-id: 0x${ids.diskId}`,
      'unit: sectors',
      '',
      `start=${sectors(layout.bootOffsetBytes)}, size=${sectors(layout.bootBytes)}, type=e, bootable`,
      `start=${sectors(layout.rootOffsetBytes)}, size=${sectors(layout.rootBytes)}, type=83`,
      '',
    ].join('\n');
  const fstab = [
    '# written by cdktf-docker-vm',
    `UUID=${ids.rootUuid} / ext4 defaults,errors=remount-ro 0 1`,
    `UUID=${fatSerialForFstab(ids.bootSerial)} /boot vfat defaults,nofail,umask=0077 0 2`,
    '',
  ].join('\n');
  return {
    layout,
    ids,
    sfdiskScript,
    fstab,
    calls: {
      partition: { tool: 'sfdisk', args: ['--quiet', '--no-reread', '--no-tell-kernel', '--wipe', 'never', diskFile] },
      formatBoot: {
        tool: 'mkfs.fat',
        // --invariant fixes the label entry's time (mkfs.fat 4.2 ignores SOURCE_DATE_EPOCH); it also fixes
        // the serial, so -i must come after it to win.
        args: ['--invariant', '-F', '16', '-n', 'BOOT', '-i', ids.bootSerial, '--offset', String(sectors(layout.bootOffsetBytes)), diskFile, String(layout.bootBytes / 1024)],
      },
      formatRoot: {
        tool: 'mke2fs',
        args: [
          '-q', '-F', '-t', 'ext4', '-b', '4096',
          '-L', 'root',
          '-U', ids.rootUuid,
          '-N', String(layout.inodes),
          '-m', '1',
          '-J', `size=${layout.journalMiB}`,
          // orphan_file and metadata_csum_seed are unknown to the e2fsck of older distributions
          '-O', '^orphan_file,^metadata_csum_seed',
          '-E', `offset=${layout.rootOffsetBytes},hash_seed=${ids.rootHashSeed},lazy_itable_init=0,nodiscard`,
          '-d', rootfsTar,
          diskFile,
          `${layout.rootBytes / 1024}k`,
        ],
        failureHint: 'mke2fs could not write the root filesystem; if it ran out of space, give a larger --size',
      },
    },
  };
}

function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

function formatMiB(mib: number): string {
  return mib >= 1024 ? `${(mib / 1024).toFixed(2).replace(/\.?0+$/, '')} GiB (${Math.ceil(mib)} MiB)` : `${Math.ceil(mib)} MiB`;
}
