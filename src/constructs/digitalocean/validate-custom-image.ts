import type { CustomImageProps } from './custom-image';
import type { Region } from './region';
import type { UrlCustomImageProps } from './url-custom-image-props';
import { DIGITALOCEAN_MAX_IMAGE_GIB } from '../../builder/clouds/digitalocean/facts';
import { endpointTemplateProblem } from '../../builder/clouds/digitalocean/spaces-url';
import { formatsImportedBy, importedImageSuffix } from '../../builder/spec';
import { Firmware } from '../bootloader/firmware';
import { RootFilesystem } from '../disk/root-filesystem';
import { isKnown, isToken, ValidationRule } from '../private/validate';

/** DigitalOcean imports images up to 100 GB uncompressed. */
export const DO_MAX_IMAGE_SIZE_GIB = DIGITALOCEAN_MAX_IMAGE_GIB;
/** The formats DigitalOcean imports. */
export const DO_FORMATS: readonly string[] = formatsImportedBy('digitalocean');

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const KEY_PREFIX = /^([A-Za-z0-9._-]+\/)*$/;
const TAG = /^[A-Za-z0-9:_-]{1,255}$/;

/** The props every custom image has, uploaded or imported from a URL. */
interface ImportProps {
  readonly regions: Region[];
  readonly imageName?: string;
  readonly tags?: string[];
  readonly importTimeoutMinutes?: number;
}

const badTags = (p: ImportProps) => isToken(p.tags) ? [] : (p.tags ?? []).filter(t => !isToken(t) && !TAG.test(t));

const IMPORT_RULES: readonly ValidationRule<ImportProps>[] = [
  {
    fails: p => !isToken(p.regions) && p.regions.length === 0,
    message: () => 'regions must name at least one region, got none; pass e.g. [Region.NYC3]',
  },
  {
    fails: p => isKnown(p.imageName) && !p.imageName.trim(),
    message: p => `imageName must not be empty, got ${JSON.stringify(p.imageName)}; leave it unset for the default name`,
  },
  {
    fails: p => isKnown(p.importTimeoutMinutes) && (!Number.isInteger(p.importTimeoutMinutes) || p.importTimeoutMinutes < 1),
    message: p => `importTimeoutMinutes must be a whole number of minutes, 1 or more, got ${p.importTimeoutMinutes}; imports take about 10 minutes, leave it unset for 60`,
  },
  {
    fails: p => badTags(p).length > 0,
    message: p => `tags must be letters, digits, ':', '-' and '_' (1 to 255 characters), got ${JSON.stringify(badTags(p))}; rename the tags`,
  },
];

export const CUSTOM_IMAGE_RULES: readonly ValidationRule<CustomImageProps>[] = [
  {
    fails: p => p.bootloader.firmware !== Firmware.BIOS,
    message: p => `bootloader firmware must be Firmware.BIOS for a DigitalOcean custom image, got Firmware.${p.bootloader.firmware.toUpperCase()}: ` +
      'DigitalOcean boots custom images with BIOS only; remove firmware: Firmware.UEFI from the Bootloader',
  },
  {
    fails: p => p.bootloader.disk.rootFilesystem === RootFilesystem.XFS,
    message: () => 'rootFilesystem must be RootFilesystem.EXT4 for a DigitalOcean custom image, got RootFilesystem.XFS: ' +
      'DigitalOcean needs ext3 or ext4 for the root filesystem; remove rootFilesystem: RootFilesystem.XFS from the DiskImage',
  },
  {
    fails: p => p.format !== undefined && !DO_FORMATS.includes(p.format),
    message: p => `format must be one of ${DO_FORMATS.join(', ')} for a DigitalOcean custom image, got ${p.format}; use DiskFormat.QCOW2 (or make a ${p.format} with ImageArtifact, for use elsewhere)`,
  },
  {
    fails: p => isKnown(p.bootloader.disk.sizeGiB) && p.bootloader.disk.sizeGiB > DO_MAX_IMAGE_SIZE_GIB,
    message: p => `sizeGiB must be ${DO_MAX_IMAGE_SIZE_GIB} or less for a DigitalOcean custom image (DigitalOcean limit), got ${p.bootloader.disk.sizeGiB}; leave it unset to size from the rootfs`,
  },
  {
    fails: p => isKnown(p.bucketName) && !BUCKET_NAME.test(p.bucketName),
    message: p => `bucketName must be 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit, got ${JSON.stringify(p.bucketName)}; pick a valid Spaces bucket name`,
  },
  {
    fails: p => isKnown(p.objectKeyPrefix) && !KEY_PREFIX.test(p.objectKeyPrefix),
    message: p => `objectKeyPrefix must be empty or folder names of letters, digits, '.', '_', '-' each ending in '/', got ${JSON.stringify(p.objectKeyPrefix)}; use e.g. 'images/'`,
  },
  {
    fails: p => isKnown(p.spacesEndpoint) && endpointTemplateProblem(p.spacesEndpoint) !== undefined,
    message: p => `${endpointTemplateProblem(p.spacesEndpoint!)}; leave it unset for https://{{.Region}}.digitaloceanspaces.com`,
  },
  {
    fails: p => isKnown(p.uploadPartSizeMiB) && (!Number.isInteger(p.uploadPartSizeMiB) || p.uploadPartSizeMiB < 5 || p.uploadPartSizeMiB > 5120),
    message: p => `uploadPartSizeMiB must be a whole number from 5 to 5120 (S3's part limits), got ${p.uploadPartSizeMiB}; leave it unset for 32`,
  },
  ...IMPORT_RULES,
];

const IMAGE_FILE = new RegExp(`/[^/]+${importedImageSuffix('digitalocean').source}`);

/** The rules of CustomImage.fromUrl. */
export const URL_CUSTOM_IMAGE_RULES: readonly ValidationRule<UrlCustomImageProps>[] = [
  {
    fails: p => isKnown(p.url) && !p.url.startsWith('https://'),
    message: p => `url must start with https:// (DigitalOcean imports over HTTPS), got ${JSON.stringify(p.url)}; serve the file over HTTPS`,
  },
  {
    fails: p => isKnown(p.url) && p.url.startsWith('https://') && !IMAGE_FILE.test(pathOf(p.url)),
    message: p => `url must end with the image's file name (.img, .qcow2, .vhdx, .vdi or .vmdk, optionally .gz or .bz2), got ${JSON.stringify(p.url)}; ` +
      'DigitalOcean imports only from a URL that ends with the file name: link to the file itself, not to a page',
  },
  {
    fails: p => isToken(p.url) && p.imageName === undefined,
    message: () => 'imageName must be set when url is a token (the default name comes from the file name in the url); pass imageName',
  },
  ...IMPORT_RULES,
];

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
