import type { CustomImageProps } from './custom-image';
import { DIGITALOCEAN_MAX_IMAGE_GIB } from '../../builder/clouds/digitalocean/facts';
import { formatsImportedBy } from '../../builder/spec';
import { Firmware } from '../bootloader/firmware';
import { isKnown, isToken, ValidationRule } from '../private/validate';

/** DigitalOcean imports images up to 100 GB uncompressed. */
export const DO_MAX_IMAGE_SIZE_GIB = DIGITALOCEAN_MAX_IMAGE_GIB;
/** The formats DigitalOcean imports. */
export const DO_FORMATS: readonly string[] = formatsImportedBy('digitalocean');

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const KEY_PREFIX = /^([A-Za-z0-9._-]+\/)*$/;
const TAG = /^[A-Za-z0-9:_-]{1,255}$/;

const badTags = (p: CustomImageProps) => isToken(p.tags) ? [] : (p.tags ?? []).filter(t => !isToken(t) && !TAG.test(t));

export const CUSTOM_IMAGE_RULES: readonly ValidationRule<CustomImageProps>[] = [
  {
    fails: p => p.bootloader.firmware !== Firmware.BIOS,
    message: p => `bootloader firmware must be Firmware.BIOS for a DigitalOcean custom image, got Firmware.${p.bootloader.firmware.toUpperCase()}: ` +
      'DigitalOcean boots custom images with BIOS only; remove firmware: Firmware.UEFI from the Bootloader',
  },
  {
    fails: p => p.format !== undefined && !DO_FORMATS.includes(p.format),
    message: p => `format must be one of ${DO_FORMATS.join(', ')} for a DigitalOcean custom image, got ${p.format}; use DiskFormat.QCOW2 (or make a vhd with ImageArtifact)`,
  },
  {
    fails: p => isKnown(p.bootloader.disk.sizeGiB) && p.bootloader.disk.sizeGiB > DO_MAX_IMAGE_SIZE_GIB,
    message: p => `sizeGiB must be ${DO_MAX_IMAGE_SIZE_GIB} or less for a DigitalOcean custom image (DigitalOcean limit), got ${p.bootloader.disk.sizeGiB}; leave it unset to size from the rootfs`,
  },
  {
    fails: p => !isToken(p.regions) && p.regions.length === 0,
    message: () => 'regions must name at least one region, got none; pass e.g. [Region.NYC3]',
  },
  {
    fails: p => isKnown(p.bucketName) && !BUCKET_NAME.test(p.bucketName),
    message: p => `bucketName must be 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit, got ${JSON.stringify(p.bucketName)}; pick a valid Spaces bucket name`,
  },
  {
    fails: p => isKnown(p.imageName) && !p.imageName.trim(),
    message: p => `imageName must not be empty, got ${JSON.stringify(p.imageName)}; leave it unset for docker-vm-<fingerprint>`,
  },
  {
    fails: p => isKnown(p.objectKeyPrefix) && !KEY_PREFIX.test(p.objectKeyPrefix),
    message: p => `objectKeyPrefix must be empty or folder names of letters, digits, '.', '_', '-' each ending in '/', got ${JSON.stringify(p.objectKeyPrefix)}; use e.g. 'images/'`,
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
