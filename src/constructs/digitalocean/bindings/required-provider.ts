import { TerraformElement, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * The oldest provider release that has every resource, argument and attribute
 * the bindings use. 2.28.1 is the first whose `digitalocean_custom_image` has a
 * `timeouts` block and waits `timeouts.create` (CustomImage's importTimeoutMinutes):
 * its CHANGELOG says "`digitalocean_custom_image`: use custom create timeout (#985)".
 * Before it the resource had no `timeouts` block (Terraform rejects the one the
 * bindings write) and waited a fixed 120 minutes. The other arguments are older
 * (multi-region custom images 2.8.0; spaces bucket, ssh key and droplet `vpc_uuid` 1.x).
 */
export const DIGITALOCEAN_PROVIDER_MINIMUM = '2.28.1';

/** The registry address of the DigitalOcean provider. */
export const DIGITALOCEAN_PROVIDER_SOURCE = 'digitalocean/digitalocean';

/** The provider's local name, also the `terraformResourceType` of its provider constructs. */
const PROVIDER_NAME = 'digitalocean';

/** The construct id of the one requirement per stack. */
const REQUIREMENT_ID = 'cdktf-docker-vm-digitalocean-provider';

/**
 * Writes `terraform.required_providers.digitalocean` with a lower bound only,
 * unless the stack declares the provider itself (a prebuilt `DigitaloceanProvider`,
 * bindings from `cdktn get`, any `TerraformProvider` of type `digitalocean`): the
 * user's entry then stands alone, with the user's version. The check runs at
 * synth, so a provider added after the first resource counts too, and the
 * result does not depend on the order cdktf merges the elements in.
 */
class DigitaloceanProviderRequirement extends TerraformElement {
  public toTerraform(): any {
    return this.requirement();
  }

  public toHclTerraform(): any {
    return this.requirement();
  }

  private requirement(): any {
    const declared = this.cdktfStack.allProviders().some(p => p.terraformResourceType === PROVIDER_NAME);
    if (declared) return {};
    return {
      terraform: {
        required_providers: {
          [PROVIDER_NAME]: { source: DIGITALOCEAN_PROVIDER_SOURCE, version: `>= ${DIGITALOCEAN_PROVIDER_MINIMUM}` },
        },
      },
    };
  }
}

/** Makes sure the stack of `scope` requires the DigitalOcean provider (one requirement per stack). */
export function requireDigitaloceanProvider(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  if (stack.node.tryFindChild(REQUIREMENT_ID) === undefined) new DigitaloceanProviderRequirement(stack, REQUIREMENT_ID);
}
