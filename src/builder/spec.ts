/**
 * Stage specs: the JSON a construct writes at synth time and the builder reads.
 * This is the only builder file the construct layer imports.
 *
 * Relative paths in a spec file are resolved against the directory holding the
 * spec file, so a synthesized stack can move between machines.
 */

/** Bump when a stage gives a different output for the same inputs. */
export const BUILDER_FORMAT_VERSION = 2;

/** Version of the spec file layout. */
export const SPEC_FILE_VERSION = 1;

export type StageName = 'rootfs' | 'disk' | 'bootloader' | 'convert';

export const DISK_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhdx', 'vdi', 'vhd'] as const;
export type DiskFormatName = typeof DISK_FORMATS[number];

export const COMPRESSIONS = ['none', 'gzip', 'bzip2'] as const;
export type CompressionName = typeof COMPRESSIONS[number];

export const PARTITION_TABLES = ['mbr', 'gpt'] as const;
export type PartitionTableName = typeof PARTITION_TABLES[number];

export interface DockerfileSourceSpec {
  readonly kind: 'dockerfile';
  /** Build context directory. */
  readonly contextDir: string;
  /** Dockerfile path relative to contextDir. */
  readonly dockerfile: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Multi-stage target, if any. */
  readonly target?: string;
}

export interface ImageSourceSpec {
  readonly kind: 'image';
  /** A reference docker can resolve: `name:tag` or `name@sha256:...`. */
  readonly reference: string;
}

export interface TarSourceSpec {
  readonly kind: 'tar';
  /** A `docker export` style tar of a root filesystem. */
  readonly path: string;
}

export type RootfsSourceSpec = DockerfileSourceSpec | ImageSourceSpec | TarSourceSpec;

export const FIRMWARES = ['bios', 'uefi'] as const;
export type FirmwareName = typeof FIRMWARES[number];

export const INJECT_MODES = ['auto', 'never', 'always'] as const;
export type InjectModeName = typeof INJECT_MODES[number];

export const VM_PROFILES = ['generic', 'digitalocean'] as const;
export type VmProfileName = typeof VM_PROFILES[number];

/** What is added to the image so it boots and behaves as a VM (see src/builder/vm). */
export interface VmSetupSpec {
  /** auto: add only what is missing; always: install every part; never: add nothing. */
  readonly inject: InjectModeName;
  /**
   * generic: kernel, init and DHCP networking. digitalocean: also cloud-init, sshd and
   * the one-image-many-machines clean-up (no host keys, empty machine-id, locked root).
   */
  readonly profile: VmProfileName;
  /** Run the image's ENTRYPOINT/CMD as a service started at boot. */
  readonly appService: boolean;
}

export interface RootfsSpec {
  readonly stage: 'rootfs';
  readonly source: RootfsSourceSpec;
  /** Absent: the rootfs is taken as it is. */
  readonly vm?: VmSetupSpec;
}

export interface DiskSpec {
  readonly stage: 'disk';
  readonly rootfs: RootfsSpec;
  /** Whole disk size; absent means sized from the rootfs (see planDisk). */
  readonly sizeMiB?: number;
  readonly partitionTable: PartitionTableName;
  readonly bootPartitionMiB: number;
}

export interface BootloaderSpec {
  readonly stage: 'bootloader';
  readonly disk: DiskSpec;
  /** Appended to `root=UUID=... rw console=tty0 console=ttyS0`. */
  readonly extraKernelArgs: readonly string[];
  /**
   * bios: syslinux in the FAT boot partition and its MBR boot code. uefi: syslinux.efi as
   * EFI/BOOT/BOOTX64.EFI on the boot partition, made an EFI System Partition; no MBR boot code.
   * Absent means bios.
   */
  readonly firmware?: FirmwareName;
}

export interface ConvertSpec {
  readonly stage: 'convert';
  readonly bootloader: BootloaderSpec;
  readonly format: DiskFormatName;
  readonly compression: CompressionName;
  /** Check the image against a cloud's import rules before it enters the cache (fails the stage otherwise). */
  readonly preflight?: 'digitalocean';
}

export type StageSpec = RootfsSpec | DiskSpec | BootloaderSpec | ConvertSpec;

/**
 * The file passed to `cdktf-docker-vm run --spec FILE`: no user string ever
 * reaches a shell line, everything travels in here.
 */
export interface SpecFile {
  readonly specFileVersion: number;
  readonly spec: StageSpec;
  /** Copy the stage's artifact here when done (atomic rename). */
  readonly output?: string;
  /** Cache directory; default `$XDG_CACHE_HOME/cdktf-docker-vm` or `~/.cache/cdktf-docker-vm`. */
  readonly cacheDir?: string;
  /** For `preview --spec FILE`: boot the spec's disk with this metadata, as a Droplet would get it. */
  readonly preview?: PreviewMetadataSpec;
}

/** What DigitalOcean's config drive gives a Droplet, for a local preview. */
export interface PreviewMetadataSpec {
  readonly hostname: string;
  /** OpenSSH public keys (one per entry). */
  readonly publicKeys: readonly string[];
  readonly userData?: string;
}

export const DEFAULT_BOOT_PARTITION_MIB = 128;

export { fingerprintSpec } from './common/fingerprint';
