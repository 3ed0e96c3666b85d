/**
 * What the builder knows of DigitalOcean, beside its image rules (rules.ts) and
 * the files its VM profile adds (profile-files.ts). The constructs read the
 * limits from here too (src/constructs/digitalocean).
 */

/** Custom images up to 100 GB uncompressed: counted as GiB, as the constructs' sizeGiB is. */
export const DIGITALOCEAN_MAX_IMAGE_GIB = 100;

/** A Droplet's user_data. */
export const DIGITALOCEAN_MAX_USER_DATA_BYTES = 64 * 1024;

/** cloud-init's data source order DigitalOcean needs: ConfigDrive before NoCloud, or networking breaks. */
export const DATASOURCE_LIST = ['ConfigDrive', 'DigitalOcean', 'NoCloud', 'None'] as const;

/** What an image must hold to work as a Droplet: found in the image, or injected. */
export const DIGITALOCEAN_COMPONENTS = ['kernel', 'init', 'dhcp', 'cloud-init', 'sshd'] as const;
