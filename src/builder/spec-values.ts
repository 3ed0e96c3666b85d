/** The closed sets and limits of stage specs: read by the schema, the CLI and the constructs. */

/** Clouds the builder knows the import rules of (preflight checks, VM profiles). */
export const CLOUDS = ['digitalocean'] as const;
export type CloudName = typeof CLOUDS[number];

export const PARTITION_TABLES = ['mbr', 'gpt'] as const;
export type PartitionTableName = typeof PARTITION_TABLES[number];

/** The root filesystem the disk stage writes: ext4 (mke2fs -d) or xfs (mkfs.xfs -p). */
export const ROOT_FILESYSTEMS = ['ext4', 'xfs'] as const;
export type RootFilesystemName = typeof ROOT_FILESYSTEMS[number];

export const FIRMWARES = ['bios', 'uefi'] as const;
export type FirmwareName = typeof FIRMWARES[number];

export const INJECT_MODES = ['auto', 'never', 'always'] as const;
export type InjectModeName = typeof INJECT_MODES[number];

/** generic, or a cloud's own additions (see src/builder/clouds). */
export const VM_PROFILES = ['generic', ...CLOUDS] as const;
export type VmProfileName = typeof VM_PROFILES[number];

export const DEFAULT_BOOT_PARTITION_MIB = 128;

/** The smallest boot partition the disk stage makes: the kernel and initrd live there. Constructs check the same. */
export const MIN_BOOT_PARTITION_MIB = 32;
