import { AnyMap, anyToHclTerraform, anyToTerraform, hashMapper, hashMapperHcl, ITerraformDependable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { requireTerraformVersion } from './terraform-version';
import { resourceConfig } from '../digitalocean/bindings/arguments';

/**
 * Arguments of a `terraform_data`.
 */
export interface TerraformDataProps {
  /**
   * A value stored in the state and reflected in `output` after apply.
   *
   * @default - none
   */
  readonly input?: { [key: string]: any };

  /**
   * Values stored in the state; a change to any of them replaces the resource.
   *
   * @default - none
   */
  readonly triggersReplace?: { [key: string]: any };

  /**
   * Resources this one waits for.
   *
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];

  /**
   * Whether a replacement is created before the old one is destroyed.
   *
   * @default - Terraform's default: destroy, then create
   */
  readonly createBeforeDestroy?: boolean;
}

/**
 * Terraform's built-in `terraform_data` resource (Terraform 1.4 and later): the
 * resource of every local stage, upload and readiness gate of this library.
 *
 * The same resource type, arguments and, for the same construct id, address as
 * cdktf's `DataResource`, so the state does not change. The difference: cdktf's
 * DataResource runs `terraform version` once per resource at synth to check the
 * version (300 runs, about 17 s, for a stack of 50 VMs); this one checks once
 * per stack. Provisioners and other meta-arguments are set on the resource.
 */
export class TerraformData extends TerraformResource {
  /** The Terraform resource type. */
  public static readonly tfResourceType = 'terraform_data';

  private inputValue?: { [key: string]: any };
  private triggersReplaceValue?: { [key: string]: any };
  private readonly outputMap = new AnyMap(this, 'output');

  constructor(scope: Construct, id: string, props: TerraformDataProps = {}) {
    super(scope, id, resourceConfig(TerraformData.tfResourceType, props));
    this.inputValue = props.input;
    this.triggersReplaceValue = props.triggersReplace;
    requireTerraformVersion(this);
  }

  /** The resource id (a random UUID Terraform assigns on create). */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** The stored input: a reference to the `input` attribute; setting it sets the argument. */
  public get input(): { [key: string]: any } {
    return this.getAnyMapAttribute('input');
  }

  public set input(value: { [key: string]: any }) {
    this.inputValue = value;
  }

  /** The `output` attribute: the input as of the last apply. */
  public get output(): AnyMap {
    return this.outputMap;
  }

  /** A reference to the `triggers_replace` attribute; setting it sets the argument. */
  public get triggersReplace(): { [key: string]: any } {
    return this.getAnyMapAttribute('triggers_replace');
  }

  public set triggersReplace(value: { [key: string]: any }) {
    this.triggersReplaceValue = value;
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      input: hashMapper(anyToTerraform)(this.inputValue),
      triggers_replace: hashMapper(anyToTerraform)(this.triggersReplaceValue),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return {
      input: hashMapperHcl(anyToHclTerraform)(this.inputValue),
      triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggersReplaceValue),
    };
  }
}
