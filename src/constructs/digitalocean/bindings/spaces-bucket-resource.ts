import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { argumentsToHclTerraform, argumentsToTerraform, Arguments, resourceConfig } from './arguments';
import { requireDigitaloceanProvider } from './required-provider';

/**
 * Arguments of a `digitalocean_spaces_bucket`: the ones this library sets.
 */
export interface SpacesBucketResourceProps {
  /** The bucket's name (global across Spaces). */
  readonly name: string;

  /** The region slug, e.g. `nyc3`. */
  readonly region: string;

  /**
   * The canned ACL: `private` or `public-read`.
   *
   * @default - the provider's default, 'private'
   */
  readonly acl?: string;
}

/**
 * A `digitalocean_spaces_bucket`: this library's own binding, for the arguments
 * it uses. Other attributes are read with `getStringAttribute('...')`, e.g. `bucket_domain_name`;
 * meta-arguments are set on the resource (`provider`, `lifecycle`, ...).
 */
export class SpacesBucketResource extends TerraformResource {
  /** The Terraform resource type. */
  public static readonly tfResourceType = 'digitalocean_spaces_bucket';

  private readonly props: SpacesBucketResourceProps;

  constructor(scope: Construct, id: string, props: SpacesBucketResourceProps) {
    super(scope, id, resourceConfig(SpacesBucketResource.tfResourceType));
    requireDigitaloceanProvider(this);
    this.props = props;
  }

  /** The resource id (the bucket's name). */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return argumentsToTerraform(this.arguments());
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return argumentsToHclTerraform(this.arguments());
  }

  private arguments(): Arguments {
    return {
      acl: { kind: 'string', value: this.props.acl },
      name: { kind: 'string', value: this.props.name },
      region: { kind: 'string', value: this.props.region },
    };
  }
}
