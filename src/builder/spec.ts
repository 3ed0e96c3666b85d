/**
 * Stage specs: the JSON a construct writes at synth time and the builder reads.
 * This is the only builder file the construct layer imports.
 *
 * Relative paths in a spec file are resolved against the directory holding the
 * spec file, so a synthesized stack can move between machines.
 */

/** Bump when a stage gives a different output for the same inputs. */
export const BUILDER_FORMAT_VERSION = 3;

/** Version of the spec file layout. */
export const SPEC_FILE_VERSION = 1;

export type StageName = 'rootfs' | 'disk' | 'bootloader' | 'convert';

export const DISK_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhdx', 'vdi', 'vhd'] as const;
export type DiskFormatName = typeof DISK_FORMATS[number];

export const COMPRESSIONS = ['none', 'gzip', 'bzip2'] as const;
export type CompressionName = typeof COMPRESSIONS[number];

export const PARTITION_TABLES = ['mbr', 'gpt'] as const;
export type PartitionTableName = typeof PARTITION_TABLES[number];

export const FIRMWARES = ['bios', 'uefi'] as const;
export type FirmwareName = typeof FIRMWARES[number];

export const INJECT_MODES = ['auto', 'never', 'always'] as const;
export type InjectModeName = typeof INJECT_MODES[number];

export const VM_PROFILES = ['generic', 'digitalocean'] as const;
export type VmProfileName = typeof VM_PROFILES[number];

// The spec types are the schema's (z.infer in spec-schema.ts): what a spec file is checked against is what the code reads.
export type {
  BootloaderSpec, ConvertSpec, DiskSpec, DockerfileSourceSpec, ImageSourceSpec, PreviewMetadataSpec, RootfsSourceSpec,
  RootfsSpec, SpecFile, StageSpec, TarSourceSpec, VmSetupSpec,
} from './spec-schema';

export const DEFAULT_BOOT_PARTITION_MIB = 128;

/** The smallest boot partition the disk stage makes: the kernel and initrd live there. Constructs check the same. */
export const MIN_BOOT_PARTITION_MIB = 32;

export { fingerprintSpec } from './common/fingerprint';
