/**
 * What the preflight check learnt about an image, gathered by read-image.ts
 * and inspect-disk.ts and judged by the pure functions in rules.ts.
 */
import { FsFacts } from './superblock';
import { PartitionEntry } from '../common/partition-table';

/** What the file starts with: a compressed stream, an archive, or neither. */
export type ContainerKind = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'zip' | '7z' | 'lz4' | 'tar';

export interface ImageFacts {
  readonly compression: ContainerKind;
  /** What the decompressed stream starts with (a tar inside gzip, ...); 'none' for a disk image. */
  readonly inner?: ContainerKind;
  /** qemu-img's format name (raw, qcow2, vmdk, vhdx, vdi, vpc); absent when the file could not be opened. */
  readonly format?: string;
  /** Uncompressed disk size in bytes. */
  readonly virtualBytes?: number;
  /** The package format (ova, vagrant-libvirt) when the file is a tar holding the disk; `format` is then the disk's inside. */
  readonly package?: string;
}

export interface PartitionFacts extends PartitionEntry {
  readonly fs: FsFacts;
}

export interface BootloaderFacts {
  /** Partition numbers with syslinux's ldlinux.sys (FAT) or extlinux's (ext). */
  readonly syslinuxOn: readonly number[];
  /** GRUB boot.img in the MBR and its core image in the post-MBR gap or a BIOS boot partition. */
  readonly grubCore: boolean;
  /** Partitions holding EFI/BOOT/BOOTX64.EFI (an EFI system partition). */
  readonly efiLoaderOn: readonly number[];
}

/** Files of the root filesystem the rules look at; undefined members are absent files. */
export interface RootFiles {
  readonly fstab?: string;
  readonly cloudInitBinary: boolean;
  readonly cloudCfg?: string;
  readonly cloudCfgDropIns: ReadonlyArray<{ readonly name: string; readonly text: string }>;
  /** Paths of enabled sshd units or runlevel links that exist. */
  readonly sshdEnabledBy: readonly string[];
  readonly sshdBinary: boolean;
  /** /etc/ssh/ssh_host_* key files found. */
  readonly hostKeys: readonly string[];
  readonly shadow?: string;
  /** /etc/ssh/sshd_config and every file of /etc/ssh/sshd_config.d, by absolute path. */
  readonly sshdConfigs: ReadonlyMap<string, string>;
  readonly authorizedKeys: readonly string[];
  /** /var/log/*.log files above 50 bytes and rotated archives (*.1, *-20240101): what DigitalOcean's image check warns about. */
  readonly uncleanLogs: readonly string[];
}

export interface DiskFacts {
  readonly label?: 'dos' | 'gpt';
  /** Why the partition table could not be read. */
  readonly tableError?: string;
  readonly partitions: readonly PartitionFacts[];
  /** The first 440 bytes (MBR boot code area). */
  readonly bootCode: Buffer;
  readonly bootloaders: BootloaderFacts;
  /** The partition holding /, when one was found. */
  readonly root?: PartitionFacts;
  /** Present when the root filesystem is ext2/3/4 and could be read. */
  readonly files?: RootFiles;
}

export interface CheckFacts {
  readonly image: ImageFacts;
  /** Absent when the image could not be opened as a disk (e.g. xz-compressed). */
  readonly disk?: DiskFacts;
}

export interface CheckOptions {
  readonly allowAuthorizedKeys?: boolean;
}

/** `warn`: DigitalOcean would take the image, but its Marketplace check flags it. */
export type RuleStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface RuleResult {
  readonly rule: string;
  readonly status: RuleStatus;
  readonly detail: string;
}
