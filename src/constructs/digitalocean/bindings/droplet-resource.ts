import { ITerraformDependable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { argumentsToHclTerraform, argumentsToTerraform, Arguments, resourceConfig } from './arguments';
import { requireDigitaloceanProvider } from './required-provider';

/**
 * Arguments of a `digitalocean_droplet`: the ones this library sets.
 */
export interface DropletResourceProps {
  /** The Droplet's name (its hostname). */
  readonly name: string;

  /** The image: an image id (a custom image's `image_id`) or a slug. */
  readonly image: string;

  /** The size slug, e.g. `s-1vcpu-1gb`. */
  readonly size: string;

  /** The region slug, e.g. `nyc3`. */
  readonly region: string;

  /**
   * SSH keys, by id or fingerprint.
   *
   * @default - none
   */
  readonly sshKeys?: string[];

  /**
   * cloud-init user data.
   *
   * @default - none
   */
  readonly userData?: string;

  /**
   * Tags.
   *
   * @default - none
   */
  readonly tags?: string[];

  /**
   * UUID of the VPC.
   *
   * @default - the region's default VPC
   */
  readonly vpcUuid?: string;

  /**
   * Resources this one waits for (`depends_on`).
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];

  /**
   * Create the replacement before destroying this one (`lifecycle.create_before_destroy`).
   *
   * @default false
   */
  readonly createBeforeDestroy?: boolean;
}

/**
 * A `digitalocean_droplet`: this library's own binding, for the arguments and
 * attributes it uses. Other attributes are read with `getStringAttribute('...')`,
 * other meta-arguments set on the resource (`provider`, `lifecycle`, ...).
 */
export class DropletResource extends TerraformResource {
  /** The Terraform resource type. */
  public static readonly tfResourceType = 'digitalocean_droplet';

  private readonly props: DropletResourceProps;

  constructor(scope: Construct, id: string, props: DropletResourceProps) {
    super(scope, id, resourceConfig(DropletResource.tfResourceType, props));
    requireDigitaloceanProvider(this);
    this.props = props;
  }

  /** The Droplet's id. */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** The Droplet's public IPv4 address. */
  public get ipv4Address(): string {
    return this.getStringAttribute('ipv4_address');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return argumentsToTerraform(this.arguments());
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return argumentsToHclTerraform(this.arguments());
  }

  private arguments(): Arguments {
    return {
      image: { kind: 'string', value: this.props.image },
      name: { kind: 'string', value: this.props.name },
      region: { kind: 'string', value: this.props.region },
      size: { kind: 'string', value: this.props.size },
      ssh_keys: { kind: 'stringSet', value: this.props.sshKeys },
      tags: { kind: 'stringSet', value: this.props.tags },
      user_data: { kind: 'string', value: this.props.userData },
      vpc_uuid: { kind: 'string', value: this.props.vpcUuid },
    };
  }
}
