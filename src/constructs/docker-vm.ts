import { Construct } from 'constructs';
import { Bootloader } from './bootloader/bootloader';
import { SshKey } from './digitalocean/bindings/ssh-key';
import { CustomImage } from './digitalocean/custom-image';
import { Distribution } from './digitalocean/distribution';
import { Droplet } from './digitalocean/droplet';
import { dropletNameOf } from './digitalocean/droplet-name';
import { DropletSize } from './digitalocean/droplet-size';
import { Region } from './digitalocean/region';
import { DiskImage } from './disk/disk-image';
import { PartitionTable } from './disk/partition-table';
import { Compression, DiskFormat } from './image/formats';
import { requireProps } from './private/validate';
import { ContainerRootfs } from './rootfs/container-rootfs';
import { RootfsSource } from './rootfs/rootfs-source';
import { Inject, VmProfile } from './rootfs/vm-setup';

/**
 * Properties of a DockerVm: the props of its five parts, flat.
 */
export interface DockerVmProps {
  /** Where the root filesystem comes from, e.g. `RootfsSource.fromDockerfile('./app')`. */
  readonly source: RootfsSource;

  /**
   * Whether the builder adds what the image lacks to run as a Droplet (kernel,
   * init, DHCP, cloud-init, sshd) with the distribution's package manager.
   * The image always gets the DigitalOcean profile (see `VmProfile.DIGITALOCEAN`).
   *
   * @default Inject.AUTO
   */
  readonly inject?: Inject;

  /**
   * Run the image's ENTRYPOINT/CMD as a service started at boot.
   *
   * @default true
   */
  readonly runImageCommand?: boolean;

  /**
   * Size of the image's disk (at most 100 for DigitalOcean).
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
   * Size of the FAT boot partition.
   *
   * @default 128
   */
  readonly bootPartitionSizeMiB?: number;

  /**
   * Kernel arguments added after `root=UUID=... rw console=tty0 console=ttyS0`.
   *
   * @default - none
   */
  readonly extraKernelArgs?: string[];

  /**
   * File format of the uploaded image.
   *
   * @default DiskFormat.QCOW2
   */
  readonly format?: DiskFormat;

  /**
   * Compression of the uploaded image.
   *
   * @default Compression.GZIP
   */
  readonly compression?: Compression;

  /**
   * Regions the image is available in; the Droplets run in one of them.
   */
  readonly regions: Region[];

  /**
   * Spaces bucket the image file is uploaded to (names are global).
   */
  readonly bucketName: string;

  /**
   * Create the bucket. Set it to false to use an existing bucket named `bucketName`.
   *
   * @default true
   */
  readonly createBucket?: boolean;

  /**
   * Region of the Spaces bucket.
   *
   * @default - the first of `regions`
   */
  readonly bucketRegion?: Region;

  /**
   * Folder of the bucket that holds the image files, ending in '/'.
   *
   * @default 'docker-vm/'
   */
  readonly objectKeyPrefix?: string;

  /**
   * The Spaces endpoint, with `{{.Region}}` where the bucket's region goes (the
   * provider's `spaces_endpoint` syntax).
   *
   * @default 'https://{{.Region}}.digitaloceanspaces.com'
   */
  readonly spacesEndpoint?: string;

  /**
   * Part size of the image upload, in MiB (5 or more).
   *
   * @default 32
   */
  readonly uploadPartSizeMiB?: number;

  /**
   * Name of the custom image.
   *
   * @default - 'docker-vm-' and the first 12 hex digits of the fingerprint
   */
  readonly imageName?: string;

  /**
   * Distribution label of the custom image.
   *
   * @default Distribution.UNKNOWN
   */
  readonly distribution?: Distribution;

  /**
   * How long `terraform apply` waits for the image import.
   *
   * @default 60
   */
  readonly importTimeoutMinutes?: number;

  /**
   * Number of Droplets.
   *
   * @default 1
   */
  readonly dropletCount?: number;

  /**
   * Droplet name; `<name>-1`, `<name>-2`, ... with more than one Droplet.
   *
   * @default - the DockerVm's id, lowercased, with '-' for every other character (`Web` gives `web`)
   */
  readonly dropletName?: string;

  /**
   * Droplet size.
   *
   * @default DropletSize.S_1VCPU_1GB
   */
  readonly size?: DropletSize;

  /**
   * Region of the Droplets; one of `regions`.
   *
   * @default - the first of `regions`
   */
  readonly region?: Region;

  /**
   * SSH keys already in the account, by id or fingerprint (at least one key
   * between `sshKeyIds` and `sshKeys`).
   *
   * @default - none
   */
  readonly sshKeyIds?: string[];

  /**
   * SSH keys managed in this stack (at least one key between `sshKeyIds` and `sshKeys`).
   *
   * @default - none
   */
  readonly sshKeys?: SshKey[];

  /**
   * cloud-init user data of the Droplets, at most 64 KiB.
   *
   * @default - none
   */
  readonly userData?: string;

  /**
   * Tags of the custom image and the Droplets.
   *
   * @default - none
   */
  readonly tags?: string[];

  /**
   * UUID of the VPC of the Droplets.
   *
   * @default - the region's default VPC
   */
  readonly vpcUuid?: string;

  /**
   * Readiness gate: on a rollover the old Droplets are destroyed only after each
   * new one accepts connections on this port (see `DropletProps.readinessPort`).
   *
   * @default - no gate: the old Droplets go as soon as the new ones are `active`, before they have booted
   */
  readonly readinessPort?: number;

  /**
   * HTTP path the readiness gate GETs on `readinessPort`, wanting 2xx or 3xx.
   *
   * @default - a TCP connection is enough
   */
  readonly readinessHttpPath?: string;

  /**
   * How long the readiness gate waits for each new Droplet.
   *
   * @default 10
   */
  readonly readinessTimeoutMinutes?: number;
}

/**
 * A Dockerfile (or image, or tar) running as DigitalOcean Droplets: the five
 * stages ContainerRootfs, DiskImage, Bootloader, CustomImage and Droplet,
 * composed from one props object. Child IDs: Rootfs, Disk, Bootloader, Image, Droplet.
 */
export class DockerVm extends Construct {
  /** The root filesystem stage. */
  public readonly rootfs: ContainerRootfs;
  /** The disk stage. */
  public readonly disk: DiskImage;
  /** The bootloader stage. */
  public readonly bootloader: Bootloader;
  /** The custom image (conversion, upload and import). */
  public readonly customImage: CustomImage;
  /** The Droplets. */
  public readonly droplet: Droplet;

  constructor(scope: Construct, id: string, props: DockerVmProps) {
    super(scope, id);
    requireProps('DockerVm', props, ['source', 'regions', 'bucketName']);
    this.rootfs = new ContainerRootfs(this, 'Rootfs', {
      source: props.source,
      inject: props.inject,
      profile: VmProfile.DIGITALOCEAN,
      runImageCommand: props.runImageCommand,
    });
    this.disk = new DiskImage(this, 'Disk', {
      rootfs: this.rootfs,
      sizeGiB: props.sizeGiB,
      partitionTable: props.partitionTable,
      bootPartitionSizeMiB: props.bootPartitionSizeMiB,
    });
    this.bootloader = new Bootloader(this, 'Bootloader', { disk: this.disk, extraKernelArgs: props.extraKernelArgs });
    this.customImage = new CustomImage(this, 'Image', {
      bootloader: this.bootloader,
      format: props.format,
      compression: props.compression,
      regions: props.regions,
      bucketName: props.bucketName,
      createBucket: props.createBucket,
      bucketRegion: props.bucketRegion,
      objectKeyPrefix: props.objectKeyPrefix,
      spacesEndpoint: props.spacesEndpoint,
      uploadPartSizeMiB: props.uploadPartSizeMiB,
      imageName: props.imageName,
      distribution: props.distribution,
      tags: props.tags,
      importTimeoutMinutes: props.importTimeoutMinutes,
    });
    this.droplet = new Droplet(this, 'Droplet', {
      image: this.customImage,
      count: props.dropletCount,
      name: props.dropletName ?? defaultDropletName(this),
      size: props.size,
      region: props.region,
      sshKeyIds: props.sshKeyIds,
      sshKeys: props.sshKeys,
      userData: props.userData,
      tags: props.tags,
      vpcUuid: props.vpcUuid,
      readinessPort: props.readinessPort,
      readinessHttpPath: props.readinessHttpPath,
      readinessTimeoutMinutes: props.readinessTimeoutMinutes,
    });
  }
}

/** The DockerVm's own name rather than `<vm>-droplet`. */
function defaultDropletName(vm: DockerVm): string {
  return dropletNameOf([vm.node.id], 'vm');
}
