import type { DropletProps } from './droplet';
import { DIGITALOCEAN_MAX_USER_DATA_BYTES } from '../../builder/clouds/digitalocean/facts';
import { isKnown, isToken, ValidationRule } from '../private/validate';

/** DigitalOcean's limit for user_data. */
export const MAX_USER_DATA_BYTES = DIGITALOCEAN_MAX_USER_DATA_BYTES;

/** A larger count is taken for a typo: 1e9 ran synth out of memory building the names. */
export const MAX_DROPLET_COUNT = 1000;

const LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const TAG = /^[A-Za-z0-9:_-]{1,255}$/;

/** Whether a Droplet name follows DigitalOcean's hostname rules. */
export function isValidDropletName(name: string): boolean {
  return name.length <= 253 && HOSTNAME.test(name);
}

const keyCount = (p: DropletProps) => (p.sshKeyIds?.length ?? 0) + (p.sshKeys?.length ?? 0);
const badTags = (p: DropletProps) => isToken(p.tags) ? [] : (p.tags ?? []).filter(t => !isToken(t) && !TAG.test(t));
const imageRegions = (p: DropletProps) => p.image.regions.map(r => r.slug).filter(s => !isToken(s));

export const DROPLET_RULES: readonly ValidationRule<DropletProps>[] = [
  {
    fails: p => p.count !== undefined && (isToken(p.count) || !Number.isInteger(p.count) || p.count < 1),
    message: p => `count must be a whole number, 1 or more, known at synth time, got ${isToken(p.count) ? 'a token' : p.count}; pass a plain number`,
  },
  {
    fails: p => isKnown(p.count) && p.count > MAX_DROPLET_COUNT,
    message: p => `count must be ${MAX_DROPLET_COUNT} or less, got ${p.count}; pass the number of Droplets you want (a larger count is taken for a typo)`,
  },
  {
    fails: p => !isToken(p.sshKeyIds) && !isToken(p.sshKeys) && keyCount(p) === 0,
    message: () => 'sshKeyIds or sshKeys must name at least one SSH key, got none; DigitalOcean disables password login on Droplets from custom images, pass an SSH key id or fingerprint, or an SshKey',
  },
  {
    fails: p => !isToken(p.sshKeyIds) && (p.sshKeyIds ?? []).some(k => !isToken(k) && !k.trim()),
    message: p => `sshKeyIds must not hold empty ids, got ${JSON.stringify(p.sshKeyIds)}; pass SSH key ids or fingerprints (doctl compute ssh-key list)`,
  },
  {
    fails: p => isKnown(p.userData) && Buffer.byteLength(p.userData, 'utf8') > MAX_USER_DATA_BYTES,
    message: p => `userData must be ${MAX_USER_DATA_BYTES} bytes or less (DigitalOcean limit), got ${Buffer.byteLength(p.userData!, 'utf8')} bytes; move large files to an object store and fetch them from the user data`,
  },
  {
    fails: p => p.ipv6 === true,
    message: () => 'ipv6 must be false: DigitalOcean does not support IPv6 on Droplets from custom images, got true; leave ipv6 unset',
  },
  {
    fails: p => p.monitoring === true,
    message: () => 'monitoring must be false: DigitalOcean cannot enable monitoring when creating a Droplet from a custom image, got true; leave it unset and install the metrics agent (do-agent) in the image',
  },
  {
    fails: p => isKnown(p.region) && isKnown(p.region.slug) && imageRegions(p).length > 0 && !imageRegions(p).includes(p.region.slug),
    message: p => `region must be one of the image's regions (${imageRegions(p).join(', ')}), got ${p.region!.slug}; add ${p.region!.slug} to the CustomImage regions or leave region unset to use ${imageRegions(p)[0]}`,
  },
  {
    fails: p => isKnown(p.readinessPort) && (!Number.isInteger(p.readinessPort) || p.readinessPort < 1 || p.readinessPort > 65535),
    message: p => `readinessPort must be a whole number from 1 to 65535, got ${p.readinessPort}; pass the port the application listens on`,
  },
  {
    fails: p => isKnown(p.readinessHttpPath) && !p.readinessHttpPath.startsWith('/'),
    message: p => `readinessHttpPath must start with '/', got ${JSON.stringify(p.readinessHttpPath)}; pass a path such as '/healthz'`,
  },
  {
    fails: p => p.readinessPort === undefined && (p.readinessHttpPath !== undefined || p.readinessTimeoutMinutes !== undefined),
    message: () => 'readinessHttpPath and readinessTimeoutMinutes need readinessPort, which is not set; pass readinessPort (the port the gate waits on)',
  },
  {
    fails: p => isKnown(p.readinessTimeoutMinutes) && !(p.readinessTimeoutMinutes > 0),
    message: p => `readinessTimeoutMinutes must be more than 0, got ${p.readinessTimeoutMinutes}; pass how long a new Droplet may take to start serving`,
  },
  {
    fails: p => badTags(p).length > 0,
    message: p => `tags must be letters, digits, ':', '-' and '_' (1 to 255 characters), got ${JSON.stringify(badTags(p))}; rename the tags`,
  },
];
