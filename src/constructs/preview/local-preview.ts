import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { SPEC_FILE_VERSION, SpecFile } from '../../builder/spec';
import { DockerVm } from '../docker-vm';
import { SPECS_DIR, registerSpecFile, relativizeSpec } from '../private/stage-resource';
import { requireProps } from '../private/validate';

/**
 * Properties of a LocalPreview.
 */
export interface LocalPreviewProps {
  /** The VM to preview. */
  readonly vm: DockerVm;

  /**
   * OpenSSH public key files to log in with (`~` is your home directory). The
   * Droplets' keys given by id (`sshKeyIds`) live in the DigitalOcean account and
   * cannot be read offline, so give at least one file when the VM has no `sshKeys`.
   *
   * @default - the public keys of the VM's `sshKeys`
   */
  readonly sshPublicKeyFiles?: string[];
}

/**
 * A local preview of a DockerVm: its disk booted in QEMU the way DigitalOcean
 * boots a Droplet (BIOS, virtio disk, a `config-2` config drive with the same
 * user data and hostname, SSH keys), with SSH forwarded to 127.0.0.1.
 *
 * Nothing runs on `cdktf deploy`: synthesizing writes a preview spec, and
 * `command` is what to run in the stack's synth directory (output it from the
 * app if you want it in `cdktf output`: `new TerraformOutput(stack, 'preview', { value: preview.command })`), e.g.
 * `npx cdktf-docker-vm preview --spec docker-vm-specs/<fingerprint>-preview.json`.
 */
export class LocalPreview extends Construct {
  /** The preview spec file, relative to the stack's synth directory. */
  public readonly specFilePath: string;

  /** The command that starts the preview, run from the stack's synth directory. */
  public readonly command: string;

  private readonly vm: DockerVm;
  private readonly publicKeys: string[];

  constructor(scope: Construct, id: string, props: LocalPreviewProps) {
    super(scope, id);
    requireProps('LocalPreview', props, ['vm']);
    this.vm = props.vm;
    this.publicKeys = [
      ...(props.sshPublicKeyFiles ?? []).map(readPublicKeyFile),
      ...props.vm.droplet.sshKeys.map(k => k.publicKey).filter(k => !Token.isUnresolved(k)),
    ];
    if (this.publicKeys.length === 0) {
      throw new Error(
        'sshPublicKeyFiles must list at least one public key file: the VM\'s Droplets get their keys by id (sshKeyIds), ' +
        'which cannot be read offline; pass e.g. sshPublicKeyFiles: [\'~/.ssh/id_ed25519.pub\']',
      );
    }
    if (props.vm.droplet.userData !== undefined && Token.isUnresolved(props.vm.droplet.userData)) {
      throw new Error('userData of the VM is only known at apply time (a token), so a local preview cannot use it; pass user data as a plain string');
    }
    this.specFilePath = `${SPECS_DIR}/${props.vm.bootloader.fingerprint}-preview.json`;
    this.command = `npx cdktf-docker-vm preview --spec ${this.specFilePath}`;
    registerSpecFile(TerraformStack.of(this), {
      specFilePath: this.specFilePath,
      specFileContent: (_stackDir, specDir) => this.previewSpec(specDir),
    });
  }

  private previewSpec(specDir: string): SpecFile {
    return {
      specFileVersion: SPEC_FILE_VERSION,
      spec: relativizeSpec(this.vm.bootloader._spec, specDir),
      preview: {
        hostname: this.vm.droplet.names[0],
        publicKeys: this.publicKeys,
        ...(this.vm.droplet.userData !== undefined ? { userData: this.vm.droplet.userData } : {}),
      },
    };
  }

}

function readPublicKeyFile(file: string): string {
  const resolved = file.startsWith('~/') ? path.join(homedir(), file.slice(2)) : path.resolve(file);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8').trim();
  } catch (e) {
    throw new Error(`sshPublicKeyFiles: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); make a key with ssh-keygen -t ed25519, or fix the path`);
  }
  if (!/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(text)) {
    throw new Error(`sshPublicKeyFiles: ${file} is not an OpenSSH public key (expected a line like "ssh-ed25519 AAAA... comment"); give the .pub file, never the private key`);
  }
  return text;
}
