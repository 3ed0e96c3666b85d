import { Construct } from 'constructs';
import { PartitionTable } from './partition-table';
import { RootFilesystem } from './root-filesystem';
import { DISK_IMAGE_RULES } from './validate-disk-image';
import { DEFAULT_BOOT_PARTITION_MIB, DiskSpec } from '../../builder/spec';
import { StageResource } from '../private/stage-resource';
import { requireProps, validate } from '../private/validate';
import { ContainerRootfs } from '../rootfs/container-rootfs';
import { TerraformData } from '../terraform/terraform-data';

/**
 * Properties of a DiskImage.
 */
export interface DiskImageProps {
  /** The root filesystem to put on the disk. */
  readonly rootfs: ContainerRootfs;

  /**
   * Size of the whole disk (partition table, boot and root partitions).
   *
   * A small image is cheaper to upload and import; with cloud-init and
   * cloud-guest-utils in the image, the root filesystem grows to the VM's disk
   * at first boot.
   *
   * @default - rootfs size plus 30% headroom, rounded up to a whole GiB
   */
  readonly sizeGiB?: number;

  /**
   * Partition table.
   *
   * @default PartitionTable.MBR
   */
  readonly partitionTable?: PartitionTable;

  /**
   * Size of the FAT boot partition that holds the kernel, initrd and bootloader files.
   *
   * @default 128
   */
  readonly bootPartitionSizeMiB?: number;

  /**
   * Root filesystem.
   *
   * XFS is written from a protofile (mkfs.xfs -p, needs xfsprogs on the build
   * host): hard links become separate copies, file times are the build's and
   * extended attributes are dropped. DigitalOcean imports ext3/ext4 roots only,
   * so a CustomImage refuses an XFS disk.
   *
   * @default RootFilesystem.EXT4
   */
  readonly rootFilesystem?: RootFilesystem;
}

/**
 * A raw disk image holding a rootfs: partition table, a FAT boot partition and
 * an ext4 (or XFS) root filesystem with an fstab by UUID, made without root, loop
 * devices or mounts. Not bootable yet: add a Bootloader.
 */
export class DiskImage extends Construct {
  /** sha256 (64 hex digits) of the rootfs fingerprint and the disk options. */
  public readonly fingerprint: string;

  /** The `terraform_data` resource that builds the disk. */
  public readonly resource: TerraformData;

  /** The rootfs on this disk. */
  public readonly rootfs: ContainerRootfs;

  /**
   * The disk size, when set.
   *
   * @default - sized from the rootfs at build time
   */
  public readonly sizeGiB?: number;

  /** The partition table. */
  public readonly partitionTable: PartitionTable;

  /** Size of the boot partition. */
  public readonly bootPartitionSizeMiB: number;

  /** The root filesystem. */
  public readonly rootFilesystem: RootFilesystem;

  private readonly stage: StageResource;
  private readonly diskSpec: DiskSpec;

  constructor(scope: Construct, id: string, props: DiskImageProps) {
    super(scope, id);
    requireProps('DiskImage', props, ['rootfs']);
    validate(props, DISK_IMAGE_RULES);
    this.rootfs = props.rootfs;
    this.sizeGiB = props.sizeGiB;
    this.partitionTable = props.partitionTable ?? PartitionTable.MBR;
    this.bootPartitionSizeMiB = props.bootPartitionSizeMiB ?? DEFAULT_BOOT_PARTITION_MIB;
    this.rootFilesystem = props.rootFilesystem ?? RootFilesystem.EXT4;
    this.diskSpec = {
      stage: 'disk',
      rootfs: props.rootfs._spec,
      ...(props.sizeGiB !== undefined ? { sizeMiB: props.sizeGiB * 1024 } : {}),
      partitionTable: this.partitionTable,
      bootPartitionMiB: this.bootPartitionSizeMiB,
      // ext4 stays out of the spec, so ext4 fingerprints are unchanged
      ...(this.rootFilesystem === RootFilesystem.EXT4 ? {} : { rootFilesystem: this.rootFilesystem }),
    };
    this.stage = new StageResource(this, 'Build', { spec: this.diskSpec, extension: '.img', upstream: props.rootfs.resource });
    this.resource = this.stage;
    this.fingerprint = this.stage.fingerprint;
  }

  /**
   * Path of the raw disk image, relative to the stack's synth directory
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
  public get _spec(): DiskSpec {
    return this.diskSpec;
  }
}
