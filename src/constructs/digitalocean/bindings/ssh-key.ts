import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { argumentsToHclTerraform, argumentsToTerraform, Arguments, resourceConfig } from './arguments';
import { requireDigitaloceanProvider } from './required-provider';

/**
 * Properties of an SshKey.
 */
export interface SshKeyProps {
  /** The key's name in the DigitalOcean account. */
  readonly name: string;

  /** The public key, in OpenSSH format (`ssh-ed25519 AAAA... comment`). */
  readonly publicKey: string;
}

/**
 * An SSH key managed in this stack (a `digitalocean_ssh_key`), for
 * `DropletProps.sshKeys` and `DockerVmProps.sshKeys`.
 *
 * Same resource type and, for the same construct id, the same address as the
 * SshKey of cdktf's archived prebuilt DigitalOcean bindings: switching to this
 * one changes nothing in the state. Meta-arguments are set on the resource
 * (`provider` for an aliased provider, `lifecycle`, ...).
 */
export class SshKey extends TerraformResource {
  /** The Terraform resource type. */
  public static readonly tfResourceType = 'digitalocean_ssh_key';

  /** The public key as given (known at synth unless it is a token); LocalPreview reads it. */
  public readonly publicKey: string;

  private readonly keyName: string;

  constructor(scope: Construct, id: string, props: SshKeyProps) {
    super(scope, id, resourceConfig(SshKey.tfResourceType));
    requireDigitaloceanProvider(this);
    this.keyName = props.name;
    this.publicKey = props.publicKey;
  }

  /** The key's id in the account. */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** The key's fingerprint, as DigitalOcean computes it. */
  public get fingerprint(): string {
    return this.getStringAttribute('fingerprint');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return argumentsToTerraform(this.arguments());
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return argumentsToHclTerraform(this.arguments());
  }

  private arguments(): Arguments {
    return {
      name: { kind: 'string', value: this.keyName },
      public_key: { kind: 'string', value: this.publicKey },
    };
  }
}
