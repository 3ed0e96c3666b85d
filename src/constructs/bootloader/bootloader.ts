import { Construct } from 'constructs';
import { Firmware } from './firmware';
import { BOOTLOADER_RULES } from './validate-bootloader';
import { BootloaderSpec } from '../../builder/spec';
import { DiskImage } from '../disk/disk-image';
import { StageResource } from '../private/stage-resource';
import { requireProps, validate } from '../private/validate';
import { TerraformData } from '../terraform/terraform-data';

/**
 * Properties of a Bootloader.
 */
export interface BootloaderProps {
  /** The disk to make bootable. */
  readonly disk: DiskImage;

  /**
   * Kernel arguments added after `root=UUID=... rw console=tty0 console=ttyS0`,
   * one argument per element.
   *
   * @default - none
   */
  readonly extraKernelArgs?: string[];

  /**
   * Firmware the disk boots with. `Firmware.UEFI` puts syslinux.efi on the boot
   * partition as EFI/BOOT/BOOTX64.EFI and makes it an EFI System Partition; such a
   * disk does not boot with BIOS, so a `CustomImage` (DigitalOcean) refuses it.
   *
   * @default Firmware.BIOS
   */
  readonly firmware?: Firmware;
}

/**
 * Makes a DiskImage bootable with BIOS firmware (syslinux on the FAT boot
 * partition and its MBR code) or, when asked, UEFI firmware (syslinux.efi on an
 * EFI System Partition), booting `root=UUID=... rw` so the root
 * filesystem is found on any disk controller (virtio `/dev/vda` on DigitalOcean).
 */
export class Bootloader extends Construct {
  /** sha256 (64 hex digits) of the disk fingerprint and the boot options. */
  public readonly fingerprint: string;

  /** The `terraform_data` resource that installs the bootloader. */
  public readonly resource: TerraformData;

  /** The disk this bootloader is installed on. */
  public readonly disk: DiskImage;

  /** The firmware the disk boots with. */
  public readonly firmware: Firmware;

  private readonly stage: StageResource;
  private readonly bootloaderSpec: BootloaderSpec;

  constructor(scope: Construct, id: string, props: BootloaderProps) {
    super(scope, id);
    requireProps('Bootloader', props, ['disk']);
    validate(props, BOOTLOADER_RULES);
    this.disk = props.disk;
    this.firmware = props.firmware ?? Firmware.BIOS;
    this.bootloaderSpec = {
      stage: 'bootloader',
      disk: props.disk._spec,
      extraKernelArgs: [...(props.extraKernelArgs ?? [])],
      // BIOS stays out of the spec: BIOS spec files and fingerprints are unchanged
      ...(this.firmware === Firmware.UEFI ? { firmware: 'uefi' as const } : {}),
    };
    this.stage = new StageResource(this, 'Build', { spec: this.bootloaderSpec, extension: '.img', upstream: props.disk.resource });
    this.resource = this.stage;
    this.fingerprint = this.stage.fingerprint;
  }

  /**
   * Path of the bootable raw disk image, relative to the stack's synth directory
   * (terraform's working directory); wrap it in `Fn.abspath` for an absolute path.
   *
   * Reading it makes the build copy the artifact there; otherwise the artifact
   * stays in the builder cache only.
   */
  public get artifactPath(): string {
    return this.stage.requestArtifactPath();
  }

  /**
   * The builder spec of this stage.
   * @internal
   */
  public get _spec(): BootloaderSpec {
    return this.bootloaderSpec;
  }
}
