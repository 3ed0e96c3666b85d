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

export interface RootfsSpec {
  readonly stage: 'rootfs';
  readonly source: RootfsSourceSpec;
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
}

export interface ConvertSpec {
  readonly stage: 'convert';
  readonly bootloader: BootloaderSpec;
  readonly format: DiskFormatName;
  readonly compression: CompressionName;
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
}

export const DEFAULT_BOOT_PARTITION_MIB = 128;

export { fingerprintSpec } from './common/fingerprint';
