import { SizeTooSmallError, SpecError } from '../common/errors';
import { derivedHex32, derivedUuid, fatSerialForFstab } from '../common/ids';
import { ToolCall } from '../common/tools';
import { DiskSpec, MIN_BOOT_PARTITION_MIB, RootFilesystemName } from '../spec';

export const MIB = 1024 * 1024;
const SECTOR = 512;
const INODE_SIZE = 256;
const XFS_INODE_SIZE = 512;
/** mkfs.xfs (xfsprogs >= 5.19) refuses a data section below 300 MB. */
export const XFS_MIN_BYTES = 300 * MIB;
/** XFS log size mkfs.xfs 6.1 picks for small filesystems (its floor), reserved in the minimum. */
const XFS_LOG_MIB = 64;
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
  readonly rootFilesystem: RootFilesystemName;
  readonly calls: {
    readonly partition: ToolCall;
    readonly formatBoot: ToolCall;
    /** ext4: mke2fs -d straight into the disk file; xfs: mkfs.xfs -p into `xfs.rootImage`. */
    readonly formatRoot: ToolCall;
  };
  /** XFS only: the separate root filesystem file (mkfs.xfs has no offset option), and the copy into the disk. */
  readonly xfs?: {
    readonly rootImage: string;
    readonly protofile: string;
    readonly copyIntoDisk: ToolCall;
  };
}

/** The root filesystem a spec asks for (absent: ext4). */
export function rootFilesystemOf(spec: DiskSpec): RootFilesystemName {
  return spec.rootFilesystem ?? 'ext4';
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
  // XFS: 512-byte inodes, a 64 MiB log, 5% for allocation groups and btrees, and mkfs.xfs's 300 MB floor
  const minRootBytes = rootFilesystemOf(spec) === 'xfs'
    ? Math.max(XFS_MIN_BYTES,
      roundUp(rootfs.dataBytes + inodes * XFS_INODE_SIZE + XFS_LOG_MIB * MIB + Math.ceil(rootfs.dataBytes * 0.05) + 16 * MIB, MIB))
    : roundUp(rootfs.dataBytes + inodes * INODE_SIZE + journalMiB * MIB + Math.ceil(rootfs.dataBytes * 0.02) + 4 * MIB, MIB);
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
  const rootFilesystem = rootFilesystemOf(spec);
  const fstab = [
    '# written by cdktf-docker-vm',
    // XFS has no errors= option and no boot-time fsck (xfs_repair is run by hand): pass 0
    rootFilesystem === 'xfs' ? `UUID=${ids.rootUuid} / xfs defaults 0 0` : `UUID=${ids.rootUuid} / ext4 defaults,errors=remount-ro 0 1`,
    `UUID=${fatSerialForFstab(ids.bootSerial)} /boot vfat defaults,nofail,umask=0077 0 2`,
    '',
  ].join('\n');
  const xfs = rootFilesystem === 'xfs' ? planXfs(layout, ids, diskFile) : undefined;
  return {
    layout,
    ids,
    sfdiskScript,
    fstab,
    rootFilesystem,
    ...(xfs ? { xfs: xfs.files } : {}),
    calls: {
      partition: { tool: 'sfdisk', args: ['--quiet', '--no-reread', '--no-tell-kernel', '--wipe', 'never', diskFile] },
      formatBoot: {
        tool: 'mkfs.fat',
        // --invariant fixes the label entry's time (mkfs.fat 4.2 ignores SOURCE_DATE_EPOCH); it also fixes
        // the serial, so -i must come after it to win.
        args: ['--invariant', '-F', '16', '-n', 'BOOT', '-i', ids.bootSerial, '--offset', String(sectors(layout.bootOffsetBytes)), diskFile, String(layout.bootBytes / 1024)],
      },
      formatRoot: xfs ? xfs.formatRoot : {
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

/**
 * mkfs.xfs -p into a file of the root partition's size (mkfs.xfs cannot write
 * at an offset), then dd into the disk at the partition's offset, skipping
 * zero blocks so the disk stays sparse. The UUID is derived like ext4's.
 */
function planXfs(layout: DiskLayout, ids: DiskIds, diskFile: string): { formatRoot: ToolCall; files: NonNullable<DiskPlan['xfs']> } {
  const dir = diskFile.slice(0, diskFile.lastIndexOf('/') + 1);
  const rootImage = `${dir}root.xfs`;
  const protofile = `${dir}root.proto`;
  return {
    formatRoot: {
      tool: 'mkfs.xfs',
      args: ['-q', '-f', '-L', 'root', '-m', `uuid=${ids.rootUuid}`, '-d', `size=${layout.rootBytes}`, '-p', protofile, rootImage],
      failureHint: 'mkfs.xfs could not write the root filesystem; if it ran out of space, give a larger --size',
    },
    files: {
      rootImage,
      protofile,
      copyIntoDisk: {
        tool: 'dd',
        args: [`if=${rootImage}`, `of=${diskFile}`, 'bs=1M', `seek=${layout.rootOffsetBytes / MIB}`, 'conv=notrunc,sparse', 'status=none'],
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
