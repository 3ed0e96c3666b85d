import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { CustomImageResource } from './bindings/custom-image-resource';
import { Distribution } from './distribution';
import { ICustomImage } from './i-custom-image';
import { Region } from './region';
import { UrlCustomImageProps } from './url-custom-image-props';
import { URL_CUSTOM_IMAGE_RULES } from './validate-custom-image';
import { importedImageSuffix } from '../../builder/spec';
import { builderCommand } from '../private/builder-command';
import { requireProps, validate } from '../private/validate';
import { TerraformData } from '../terraform/terraform-data';

/**
 * A custom image from a file the user hosts. A `terraform_data` before the
 * import asks the URL with HEAD, so a wrong or private URL fails in seconds with
 * the HTTP status rather than after DigitalOcean's import gives up.
 */
export class UrlCustomImage extends Construct implements ICustomImage {
  public readonly imageId: number;
  public readonly regions: Region[];
  public readonly imageUrl: string;
  public readonly dependables: ITerraformDependable[];
  /** The `digitalocean_custom_image` resource. */
  public readonly image: CustomImageResource;
  /** The HEAD check of the URL (`terraform_data`). */
  public readonly probe: TerraformData;

  constructor(scope: Construct, id: string, props: UrlCustomImageProps) {
    super(scope, id);
    requireProps('CustomImage.fromUrl', props, ['url', 'regions']);
    validate(props, URL_CUSTOM_IMAGE_RULES);
    this.regions = [...props.regions];
    this.imageUrl = props.url;
    this.probe = new TerraformData(this, 'Probe', {
      triggersReplace: { url: props.url },
      input: { url: props.url },
    });
    this.probe.provisioners = [builderCommand('probe-image-url')];
    this.image = new CustomImageResource(this, 'Image', {
      name: props.imageName ?? nameFromUrl(props.url),
      url: props.url,
      regions: this.regions.map(r => r.slug),
      distribution: (props.distribution ?? Distribution.UNKNOWN).name,
      description: props.description ?? `imported by cdktf-docker-vm from ${props.url}`,
      tags: props.tags,
      timeouts: { create: `${props.importTimeoutMinutes ?? 60}m` },
      createBeforeDestroy: true,
      dependsOn: [this.probe],
    });
    this.imageId = this.image.imageId;
    this.dependables = [this.image];
  }
}

/** `https://example.com/images/app-1.4.qcow2.gz` -> `app-1.4`. (A token url needs imageName: validation says so first.) */
function nameFromUrl(url: string): string {
  const file = decodeURIComponent(new URL(url).pathname.split('/').pop()!);
  return file.replace(importedImageSuffix('digitalocean'), '');
}
