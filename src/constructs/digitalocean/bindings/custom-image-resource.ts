import { ITerraformDependable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { argumentsToHclTerraform, argumentsToTerraform, Arguments, resourceConfig } from './arguments';
import { requireDigitaloceanProvider } from './required-provider';

/**
 * The `timeouts` block of a `digitalocean_custom_image`.
 */
export interface CustomImageResourceTimeouts {
  /**
   * How long the import may take, as a Terraform duration (`60m`).
   *
   * @default - the provider's default, 60 minutes
   */
  readonly create?: string;
}

/**
 * Arguments of a `digitalocean_custom_image`: the ones this library sets.
 */
export interface CustomImageResourceProps {
  /** The image's name. */
  readonly name: string;

  /** The URL DigitalOcean imports the image file from (a change replaces the image). */
  readonly url: string;

  /** Region slugs the image is available in. */
  readonly regions: string[];

  /**
   * Distribution label.
   *
   * @default - the provider's default, 'Unknown'
   */
  readonly distribution?: string;

  /**
   * Description.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Tags.
   *
   * @default - none
   */
  readonly tags?: string[];

  /**
   * Timeouts.
   *
   * @default - the provider's defaults
   */
  readonly timeouts?: CustomImageResourceTimeouts;

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
 * A `digitalocean_custom_image`: this library's own binding, for the arguments
 * and attributes it uses. Other attributes are read with `getStringAttribute('...')`,
 * other meta-arguments set on the resource (`provider`, `lifecycle`, ...).
 */
export class CustomImageResource extends TerraformResource {
  /** The Terraform resource type. */
  public static readonly tfResourceType = 'digitalocean_custom_image';

  private readonly props: CustomImageResourceProps;

  constructor(scope: Construct, id: string, props: CustomImageResourceProps) {
    super(scope, id, resourceConfig(CustomImageResource.tfResourceType, props));
    requireDigitaloceanProvider(this);
    this.props = props;
  }

  /** The resource id (the image id as a string). */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** The numeric id of the image. Use `Token.asString(imageId)` where a string is wanted. */
  public get imageId(): number {
    return this.getNumberAttribute('image_id');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return argumentsToTerraform(this.arguments());
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return argumentsToHclTerraform(this.arguments());
  }

  private arguments(): Arguments {
    return {
      description: { kind: 'string', value: this.props.description },
      distribution: { kind: 'string', value: this.props.distribution },
      name: { kind: 'string', value: this.props.name },
      regions: { kind: 'stringSet', value: this.props.regions },
      tags: { kind: 'stringSet', value: this.props.tags },
      url: { kind: 'string', value: this.props.url },
      timeouts: { kind: 'block', value: this.props.timeouts && { create: this.props.timeouts.create }, storageClassType: 'CustomImageTimeouts' },
    };
  }
}
