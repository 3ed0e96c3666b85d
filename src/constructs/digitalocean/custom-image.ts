import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { CustomImageResource } from './bindings/custom-image-resource';
import { SpacesBucketResource } from './bindings/spaces-bucket-resource';
import { Distribution } from './distribution';
import { forgetEarlierBucketObject } from './forget-bucket-object';
import { ICustomImage } from './i-custom-image';
import { imageDelivery } from './image-delivery';
import { Region } from './region';
import { bucketFor } from './shared-bucket';
import { UrlCustomImage } from './url-custom-image';
import { UrlCustomImageProps } from './url-custom-image-props';
import { CUSTOM_IMAGE_RULES } from './validate-custom-image';
import { DEFAULT_SPACES_ENDPOINT } from '../../builder/clouds/digitalocean/spaces-url';
import { Bootloader } from '../bootloader/bootloader';
import { Compression, DiskFormat } from '../image/formats';
import { ImageArtifact } from '../image/image-artifact';
import { requireProps, validate } from '../private/validate';
import { TerraformData } from '../terraform/terraform-data';

/**
 * Properties of a CustomImage.
 */
export interface CustomImageProps {
  /** The bootable disk to import. */
  readonly bootloader: Bootloader;

  /**
   * Regions the image is available in. The import goes to one of them and
   * DigitalOcean transfers it to the others; Droplets must use one of them.
   */
  readonly regions: Region[];

  /**
   * Spaces bucket the image file is uploaded to, for DigitalOcean to import it from.
   *
   * Spaces bucket names are global: pick one nobody else uses.
   */
  readonly bucketName: string;

  /**
   * Create the bucket. Set it to false to upload to an existing bucket named `bucketName`.
   * Other CustomImages of the stack with the same `bucketName` (and region) share the bucket the first one creates.
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
   * The Spaces endpoint, with `{{.Region}}` where the bucket's region goes: the
   * syntax of the DigitalOcean provider's `spaces_endpoint`.
   *
   * @default 'https://{{.Region}}.digitaloceanspaces.com'
   */
  readonly spacesEndpoint?: string;

  /**
   * Part size of the multipart upload, in MiB (5 or more). About four parts are
   * in memory at once; files that would need more than 10,000 parts get larger ones.
   *
   * @default 32
   */
  readonly uploadPartSizeMiB?: number;

  /**
   * Folder of the bucket that holds the image files, ending in '/'.
   *
   * @default 'docker-vm/'
   */
  readonly objectKeyPrefix?: string;

  /**
   * File format of the uploaded image: raw, qcow2, vmdk, vhdx or vdi.
   *
   * @default DiskFormat.QCOW2
   */
  readonly format?: DiskFormat;

  /**
   * Compression of the uploaded image (DigitalOcean accepts gzip and bzip2).
   *
   * @default Compression.GZIP
   */
  readonly compression?: Compression;

  /**
   * Name of the custom image.
   *
   * @default - 'docker-vm-' and the first 12 hex digits of the fingerprint
   */
  readonly imageName?: string;

  /**
   * Description of the custom image.
   *
   * @default - names the builder and the full fingerprint
   */
  readonly description?: string;

  /**
   * Distribution label shown by DigitalOcean.
   *
   * @default Distribution.UNKNOWN
   */
  readonly distribution?: Distribution;

  /**
   * Tags of the custom image.
   *
   * @default - none
   */
  readonly tags?: string[];

  /**
   * How long `terraform apply` waits for the import (status `available`).
   *
   * @default 60
   */
  readonly importTimeoutMinutes?: number;
}

/**
 * A DigitalOcean custom image made from a bootable disk.
 *
 * DigitalOcean boots custom images with BIOS only: the bootloader must use
 * `Firmware.BIOS` (the default); `Firmware.UEFI` fails at synth.
 *
 * `terraform apply` converts the disk (an ImageArtifact), uploads the file to a
 * Spaces bucket (multipart, with the Spaces keys from the environment) under a
 * key that holds the fingerprint, and imports it as a custom image.
 *
 * - The file is public-read only while DigitalOcean downloads it: a seal step
 *   beside the import watches it through the API (DIGITALOCEAN_TOKEN) and makes
 *   the file private when the import ends, whether it succeeded or failed, and
 *   shows DigitalOcean's reason when it failed. See docs/constructs.md.
 * - A changed fingerprint is a new object key, hence a new URL, hence a new
 *   image (`url` forces replacement). The seal removes this image's earlier files.
 * - The image has `create_before_destroy`: on a change the new image is
 *   imported before the old one is deleted, and Droplets using it are replaced
 *   by Droplets on the new image.
 *
 * To import a file hosted elsewhere, use `CustomImage.fromUrl`.
 */
export class CustomImage extends Construct implements ICustomImage {
  /**
   * A custom image imported from an image file you host: any HTTPS URL that
   * answers HEAD and whose path ends with the file name (e.g. `.qcow2.gz`).
   * Nothing is uploaded; a step before the import checks that the URL answers.
   */
  public static fromUrl(scope: Construct, id: string, props: UrlCustomImageProps): ICustomImage {
    return new UrlCustomImage(scope, id, props);
  }

  /** sha256 (64 hex digits) of the converted image's inputs. */
  public readonly fingerprint: string;

  /**
   * Path of the converted image file, relative to the stack's synth directory
   * (terraform's working directory).
   */
  public readonly artifactPath: string;

  /** The numeric id of the imported image. Use `Token.asString(imageId)` where a string is wanted. */
  public readonly imageId: number;

  /** The URL DigitalOcean imports the image from. */
  public readonly imageUrl: string;

  /** The regions the image is available in. */
  public readonly regions: Region[];

  /** The converted image file. */
  public readonly artifact: ImageArtifact;

  /** The Spaces bucket, when this construct creates it. */
  public readonly bucket?: SpacesBucketResource;

  /** The upload of the image file (`terraform_data`; deletes the file at destroy). */
  public readonly upload: TerraformData;

  /** The step beside the import that makes the file private when the import ends (`terraform_data`). */
  public readonly seal: TerraformData;

  /** What a Droplet on this image waits for: the import and the seal. */
  public readonly dependables: ITerraformDependable[];

  /** The `digitalocean_custom_image` resource. */
  public readonly image: CustomImageResource;

  constructor(scope: Construct, id: string, props: CustomImageProps) {
    super(scope, id);
    requireProps('CustomImage', props, ['bootloader', 'regions', 'bucketName']);
    validate(props, CUSTOM_IMAGE_RULES);
    this.regions = [...props.regions];
    const bucketRegion = props.bucketRegion ?? props.regions[0];

    this.artifact = new ImageArtifact(this, 'Convert', {
      bootloader: props.bootloader,
      format: props.format ?? DiskFormat.QCOW2,
      compression: props.compression ?? Compression.GZIP,
      _preflight: 'digitalocean', // the image is checked against DigitalOcean's rules before upload
    });
    this.fingerprint = this.artifact.fingerprint;
    this.artifactPath = this.artifact.artifactPath;

    let bucketResource: SpacesBucketResource | undefined;
    if (props.createBucket ?? true) {
      // Several CustomImages of one stack naming the same bucket share the first one's.
      const { bucket, shared } = bucketFor(this, props.bucketName, bucketRegion.slug, () => new SpacesBucketResource(this, 'Bucket', {
        name: props.bucketName,
        region: bucketRegion.slug,
        acl: 'private',
      }));
      if (!shared) this.bucket = bucket;
      bucketResource = bucket;
    }

    const extension = this.artifact.fileName.slice(this.artifact.fileName.indexOf('.'));
    const importTimeoutMinutes = props.importTimeoutMinutes ?? 60;
    const imageName = props.imageName ?? `docker-vm-${this.fingerprint.slice(0, 12)}`;
    const delivery = imageDelivery(this, {
      file: this.artifactPath,
      fileResource: this.artifact.resource,
      endpointTemplate: props.spacesEndpoint ?? DEFAULT_SPACES_ENDPOINT,
      region: bucketRegion.slug,
      bucket: props.bucketName,
      bucketResource,
      key: `${props.objectKeyPrefix ?? 'docker-vm/'}${this.fingerprint}${extension}`,
      imageName,
      importTimeoutMinutes,
      partSizeMiB: props.uploadPartSizeMiB ?? 32,
    });
    this.upload = delivery.upload;
    this.seal = delivery.seal;
    this.imageUrl = delivery.url;
    forgetEarlierBucketObject(this);
    this.image = new CustomImageResource(this, 'Image', {
      name: imageName,
      url: this.imageUrl,
      regions: this.regions.map(r => r.slug),
      distribution: (props.distribution ?? Distribution.UNKNOWN).name,
      description: props.description ?? `built by cdktf-docker-vm, fingerprint ${this.fingerprint}`,
      tags: props.tags,
      timeouts: { create: `${importTimeoutMinutes}m` },
      createBeforeDestroy: true,
      dependsOn: [this.upload],
    });
    this.imageId = this.image.imageId;
    this.dependables = [this.image, this.seal];
  }
}
