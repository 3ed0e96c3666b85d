import { Construct } from 'constructs';
import { Compression, DiskFormat } from './formats';
import { ConvertSpec, compressionProblem, imageExtension } from '../../builder/spec';
import { Bootloader } from '../bootloader/bootloader';
import { StageResource } from '../private/stage-resource';
import { requireProps, validate, ValidationRule } from '../private/validate';
import { TerraformData } from '../terraform/terraform-data';

/**
 * Properties of an ImageArtifact.
 */
export interface ImageArtifactProps {
  /** The bootable disk to convert. */
  readonly bootloader: Bootloader;

  /**
   * File format.
   *
   * @default DiskFormat.QCOW2
   */
  readonly format?: DiskFormat;

  /**
   * Compression of the file.
   *
   * @default Compression.NONE
   */
  readonly compression?: Compression;

  /**
   * Check the converted image against a cloud's import rules before it is used
   * (CustomImage sets it for DigitalOcean).
   * @internal
   */
  readonly _preflight?: 'digitalocean';
}

const RULES: readonly ValidationRule<ImageArtifactProps>[] = [
  {
    fails: p => p.format !== undefined && !Object.values(DiskFormat).includes(p.format),
    message: p => `format must be one of ${Object.values(DiskFormat).join(', ')}, got ${p.format}; use the DiskFormat enum`,
  },
  {
    fails: p => p.compression !== undefined && !Object.values(Compression).includes(p.compression),
    message: p => `compression must be one of ${Object.values(Compression).join(', ')}, got ${p.compression}; use the Compression enum`,
  },
  {
    fails: p => p.format !== undefined && p.compression !== undefined && compressionProblem(p.format, p.compression) !== undefined,
    message: p => `compression ${p.compression} does not go with format ${p.format}: ${compressionProblem(p.format!, p.compression!)}`,
  },
];

/** File name extension for a format and compression, e.g. `.qcow2.gz`. */
function imageFileExtension(format: DiskFormat, compression: Compression): string {
  return imageExtension(format, compression);
}

/**
 * A VM image file: a bootable disk converted to a format (`qemu-img convert`)
 * and optionally compressed, or packaged as an OVA or a Vagrant libvirt box,
 * written to `artifactPath` by `terraform apply`.
 *
 * Use it on its own for local VMs (QEMU, VirtualBox, VMware, Vagrant, ...);
 * CustomImage makes one for the upload to DigitalOcean.
 */
export class ImageArtifact extends Construct {
  /** sha256 (64 hex digits) of the bootloader fingerprint, the format and the compression. */
  public readonly fingerprint: string;

  /**
   * Path of the image file, relative to the stack's synth directory
   * (terraform's working directory), e.g.
   * `docker-vm-artifacts/<fingerprint>-convert.qcow2`. Wrap it in `Fn.abspath`
   * for an absolute path.
   */
  public readonly artifactPath: string;

  /** The artifact's file name: fingerprint, stage and extension. */
  public readonly fileName: string;

  /** The `terraform_data` resource that converts the image. */
  public readonly resource: TerraformData;

  /** The bootable disk this image is made from. */
  public readonly bootloader: Bootloader;

  /** The file format. */
  public readonly format: DiskFormat;

  /** The compression. */
  public readonly compression: Compression;

  constructor(scope: Construct, id: string, props: ImageArtifactProps) {
    super(scope, id);
    requireProps('ImageArtifact', props, ['bootloader']);
    validate(props, RULES);
    this.bootloader = props.bootloader;
    this.format = props.format ?? DiskFormat.QCOW2;
    this.compression = props.compression ?? Compression.NONE;
    const spec: ConvertSpec = {
      stage: 'convert',
      bootloader: props.bootloader._spec,
      format: this.format,
      compression: this.compression,
      ...(props._preflight ? { preflight: props._preflight } : {}),
    };
    const stage = new StageResource(this, 'Build', {
      spec,
      extension: imageFileExtension(this.format, this.compression),
      upstream: props.bootloader.resource,
    });
    this.resource = stage;
    this.fingerprint = stage.fingerprint;
    this.fileName = stage.artifactFileName;
    // The image file is the point of this construct: always copy it out of the cache.
    this.artifactPath = stage.requestArtifactPath();
  }
}
