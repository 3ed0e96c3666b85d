/**
 * The spec file's schema (zod): checked when a spec file is read, and the
 * source of the spec types (z.infer; spec.ts exports them), so the two cannot drift.
 *
 * Objects are strict: an unknown field is an error naming it, not silently
 * dropped, since a misspelt option would otherwise change what gets built.
 */
import { z } from 'zod';
import { COMPRESSIONS, DISK_FORMATS } from './formats';
import { CLOUDS, FIRMWARES, INJECT_MODES, MIN_BOOT_PARTITION_MIB, PARTITION_TABLES, ROOT_FILESYSTEMS, VM_PROFILES } from './spec-values';

const text = z.string().min(1, 'must not be empty');

export const dockerfileSourceSchema = z.strictObject({
  kind: z.literal('dockerfile'),
  /** Build context directory. */
  contextDir: text,
  /** Dockerfile path relative to contextDir. */
  dockerfile: text,
  buildArgs: z.record(text, z.string()).readonly(),
  /** Multi-stage target, if any. */
  target: text.optional(),
}).readonly();
export type DockerfileSourceSpec = z.infer<typeof dockerfileSourceSchema>;

export const imageSourceSchema = z.strictObject({
  kind: z.literal('image'),
  /** A reference docker can resolve: `name:tag` or `name@sha256:...`. */
  reference: text,
}).readonly();
export type ImageSourceSpec = z.infer<typeof imageSourceSchema>;

export const tarSourceSchema = z.strictObject({
  kind: z.literal('tar'),
  /** A `docker export` style tar of a root filesystem. */
  path: text,
}).readonly();
export type TarSourceSpec = z.infer<typeof tarSourceSchema>;

export const rootfsSourceSchema = z.discriminatedUnion('kind', [dockerfileSourceSchema, imageSourceSchema, tarSourceSchema]);
export type RootfsSourceSpec = z.infer<typeof rootfsSourceSchema>;

/** What is added to the image so it boots and behaves as a VM (see src/builder/vm). */
export const vmSetupSchema = z.strictObject({
  /** auto: add only what is missing; always: install every part; never: add nothing. */
  inject: z.enum(INJECT_MODES),
  /**
   * generic: kernel, init and DHCP networking. digitalocean: also cloud-init, sshd and
   * the one-image-many-machines clean-up (no host keys, empty machine-id, locked root).
   */
  profile: z.enum(VM_PROFILES),
  /** Run the image's ENTRYPOINT/CMD as a service started at boot. */
  appService: z.boolean(),
}).readonly();
export type VmSetupSpec = z.infer<typeof vmSetupSchema>;

export const rootfsSpecSchema = z.strictObject({
  stage: z.literal('rootfs'),
  source: rootfsSourceSchema,
  /** Absent: the rootfs is taken as it is. */
  vm: vmSetupSchema.optional(),
}).readonly();
export type RootfsSpec = z.infer<typeof rootfsSpecSchema>;

export const diskSpecSchema = z.strictObject({
  stage: z.literal('disk'),
  rootfs: rootfsSpecSchema,
  /** Whole disk size; absent means sized from the rootfs (see planDisk). */
  sizeMiB: z.number().int().positive().optional(),
  partitionTable: z.enum(PARTITION_TABLES),
  bootPartitionMiB: z.number().int().min(MIN_BOOT_PARTITION_MIB),
  /** Absent means ext4. */
  rootFilesystem: z.enum(ROOT_FILESYSTEMS).optional(),
}).readonly();
export type DiskSpec = z.infer<typeof diskSpecSchema>;

export const bootloaderSpecSchema = z.strictObject({
  stage: z.literal('bootloader'),
  disk: diskSpecSchema,
  /** Appended to `root=UUID=... rw console=tty0 console=ttyS0`. */
  extraKernelArgs: z.array(text).readonly(),
  /**
   * bios: syslinux in the FAT boot partition and its MBR boot code. uefi: syslinux.efi as
   * EFI/BOOT/BOOTX64.EFI on the boot partition, made an EFI System Partition; no MBR boot code.
   * Absent means bios.
   */
  firmware: z.enum(FIRMWARES).optional(),
}).readonly();
export type BootloaderSpec = z.infer<typeof bootloaderSpecSchema>;

export const convertSpecSchema = z.strictObject({
  stage: z.literal('convert'),
  bootloader: bootloaderSpecSchema,
  format: z.enum(DISK_FORMATS),
  compression: z.enum(COMPRESSIONS),
  /** Check the image against a cloud's import rules before it enters the cache (fails the stage otherwise). */
  preflight: z.enum(CLOUDS).optional(),
}).readonly();
export type ConvertSpec = z.infer<typeof convertSpecSchema>;

export const stageSpecSchema = z.discriminatedUnion('stage', [rootfsSpecSchema, diskSpecSchema, bootloaderSpecSchema, convertSpecSchema]);
export type StageSpec = z.infer<typeof stageSpecSchema>;

/** What DigitalOcean's config drive gives a Droplet, for a local preview. */
export const previewMetadataSchema = z.strictObject({
  hostname: text,
  /** OpenSSH public keys (one per entry). */
  publicKeys: z.array(text).readonly(),
  userData: z.string().optional(),
}).readonly();
export type PreviewMetadataSpec = z.infer<typeof previewMetadataSchema>;

/**
 * The file passed to `cdktf-docker-vm run --spec FILE`: no user string ever
 * reaches a shell line, everything travels in here.
 */
export const specFileSchema = z.strictObject({
  specFileVersion: z.number(),
  spec: stageSpecSchema,
  /** Copy the stage's artifact here when done (atomic rename). */
  output: text.optional(),
  /** Cache directory; default `$XDG_CACHE_HOME/cdktf-docker-vm` or `~/.cache/cdktf-docker-vm`. */
  cacheDir: text.optional(),
  /** For `preview --spec FILE`: boot the spec's disk with this metadata, as a Droplet would get it. */
  preview: previewMetadataSchema.optional(),
}).readonly();
export type SpecFile = z.infer<typeof specFileSchema>;
