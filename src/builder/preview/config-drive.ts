import * as path from 'node:path';
import { ToolCall } from '../common/tools';

/** What a DigitalOcean-style config drive tells cloud-init about this boot. */
export interface ConfigDriveInput {
  /** Instance id; a new one per boot makes cloud-init treat the boot as a first boot. */
  readonly uuid: string;
  readonly hostname: string;
  /** Contents of the OpenSSH public key file (one key). */
  readonly publicKey: string;
  /** The user_data file's bytes, passed through untouched. */
  readonly userData?: Buffer;
  /** More public keys (file contents), e.g. every key the Droplets get. */
  readonly extraPublicKeys?: readonly string[];
}

export interface ConfigDriveFile {
  /** Path inside the drive, relative to its root. */
  readonly path: string;
  readonly content: string | Buffer;
}

export interface ConfigDrivePlan {
  readonly files: readonly ConfigDriveFile[];
  readonly call: ToolCall;
}

/** Volume label cloud-init's ConfigDrive datasource looks for. */
export const CONFIG_DRIVE_LABEL = 'config-2';

/**
 * The OpenStack config-drive layout cloud-init reads on DigitalOcean custom
 * images: an ISO9660 volume labelled config-2 holding
 * openstack/latest/meta_data.json (and user_data when given).
 */
export function planConfigDrive(input: ConfigDriveInput, stagingDir: string, isoFile: string): ConfigDrivePlan {
  const keys = [...new Set([input.publicKey, ...(input.extraPublicKeys ?? [])].map(k => k.trim()))];
  const metaData = {
    uuid: input.uuid,
    hostname: input.hostname,
    name: input.hostname,
    launch_index: 0,
    public_keys: Object.fromEntries(keys.map((k, i) => [String(i), k])),
    keys: keys.map((k, i) => ({ name: String(i), type: 'ssh', data: k })),
  };
  const files: ConfigDriveFile[] = [
    { path: 'openstack/latest/meta_data.json', content: JSON.stringify(metaData, null, 2) + '\n' },
  ];
  if (input.userData !== undefined) files.push({ path: 'openstack/latest/user_data', content: input.userData });
  return {
    files,
    call: { tool: 'genisoimage', args: ['-quiet', '-o', isoFile, '-V', CONFIG_DRIVE_LABEL, '-J', '-R', path.resolve(stagingDir)] },
  };
}

/** First line of an OpenSSH public key file, or a message saying what is wrong with it. */
export function checkPublicKey(text: string): string | undefined {
  if (/PRIVATE KEY/.test(text)) return 'holds a private key; pass the .pub file';
  const line = text.trim().split('\n')[0] ?? '';
  if (!/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/.test(line)) {
    return 'is not an OpenSSH public key (expected a line like "ssh-ed25519 AAAA... comment"; make one with ssh-keygen -t ed25519)';
  }
  return undefined;
}

/** Hostnames DigitalOcean and cloud-init accept: letters, digits, dots and dashes. */
export function checkHostname(name: string): string | undefined {
  if (name.length < 1 || name.length > 253) return 'must be 1 to 253 characters';
  for (const label of name.split('.')) {
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) {
      return 'must be letters, digits and dashes (dots between labels), not starting or ending with a dash';
    }
  }
  return undefined;
}
