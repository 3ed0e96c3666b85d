import { Distribution } from './distribution';
import { Region } from './region';

/**
 * Properties of a custom image imported from a URL (`CustomImage.fromUrl`).
 */
export interface UrlCustomImageProps {
  /**
   * HTTPS URL of the image file, readable without credentials while it is
   * imported; its path ends with the file name, e.g. `https://example.com/app.qcow2.gz`.
   */
  readonly url: string;

  /** Regions the image is available in; Droplets must use one of them. */
  readonly regions: Region[];

  /**
   * Name of the custom image.
   *
   * @default - the file name of the url without its extensions
   */
  readonly imageName?: string;

  /**
   * Description of the custom image.
   *
   * @default - names the URL
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
