import { ITerraformDependable } from 'cdktf';
import { IConstruct } from 'constructs';
import { Region } from './region';

/**
 * A DigitalOcean custom image Droplets can boot: a `CustomImage` built from a
 * Dockerfile, or one imported from a URL (`CustomImage.fromUrl`).
 */
export interface ICustomImage extends IConstruct {
  /** The numeric id of the imported image. Use `Token.asString(imageId)` where a string is wanted. */
  readonly imageId: number;

  /** The regions the image is available in. */
  readonly regions: Region[];

  /** The URL DigitalOcean imports the image from. */
  readonly imageUrl: string;

  /** What a Droplet on this image waits for before it is created. */
  readonly dependables: ITerraformDependable[];
}
