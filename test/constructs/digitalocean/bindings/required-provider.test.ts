import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TerraformProvider, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { ContainerRootfs, CustomImageResource, RootfsSource, SshKey, SpacesBucketResource } from '../../../../src';
import { newStack, PINNED } from '../../helpers';

const LOWER_BOUND = { source: 'digitalocean/digitalocean', version: '>= 2.28.1' };

function requiredProviders(stack: TerraformStack): unknown {
  return JSON.parse(Testing.synth(stack)).terraform?.required_providers;
}

function someResources(stack: Construct): void {
  new SshKey(stack, 'Key', { name: 'me', publicKey: 'ssh-ed25519 AAAA me' });
  new SpacesBucketResource(stack, 'Bucket', { name: 'my-images', region: 'nyc3' });
  new CustomImageResource(stack, 'Image', { name: 'app', url: 'https://example.com/app.qcow2.gz', regions: ['nyc3'] });
}

/** A provider declared the way generated bindings (`cdktn get`) declare it. */
class GeneratedProvider extends TerraformProvider {
  constructor(scope: Construct, id: string, version: string) {
    super(scope, id, {
      terraformResourceType: 'digitalocean',
      terraformGeneratorMetadata: { providerName: 'digitalocean', providerVersion: version },
      terraformProviderSource: 'digitalocean/digitalocean',
    });
  }
}

describe('required_providers', () => {
  test('requires digitalocean/digitalocean with a lower bound only when the stack declares no provider', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    someResources(stack);
    // THEN
    expect(requiredProviders(stack)).toEqual({ digitalocean: LOWER_BOUND });
    expect(JSON.parse(Testing.synth(stack)).provider).toBeUndefined();
    expect(Testing.synthHcl(stack)).toMatch(/required_providers \{\s+digitalocean = \{\s+source\s+= "digitalocean\/digitalocean"\s+version = ">= 2\.28\.1"\s+\}\s+\}/);
  });

  test('passes cdktf\'s validations without a provider construct (Terraform configures the provider from the environment)', () => {
    // GIVEN
    const stack = newStack();
    someResources(stack);
    // THEN
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test.each([
    ['before', true],
    ['after', false],
  ])('keeps the user\'s pin when the prebuilt DigitaloceanProvider is declared %s the resources', (_when, first) => {
    // GIVEN
    const stack = newStack();
    // WHEN
    if (first) new DigitaloceanProvider(stack, 'do', {});
    someResources(stack);
    if (!first) new DigitaloceanProvider(stack, 'do', {});
    // THEN the prebuilt provider's own entry, untouched
    expect(requiredProviders(stack)).toEqual({ digitalocean: { source: 'digitalocean/digitalocean', version: '2.71.0' } });
  });

  test('keeps the version of a provider from generated bindings, inside a construct and with an alias', () => {
    // GIVEN
    const stack = newStack();
    someResources(stack);
    // WHEN
    const provider = new GeneratedProvider(new Construct(stack, 'Providers'), 'do', '2.60.0');
    provider.alias = 'second';
    // THEN
    expect(requiredProviders(stack)).toEqual({ digitalocean: { source: 'digitalocean/digitalocean', version: '2.60.0' } });
  });

  test('a stack override of the version wins over the lower bound', () => {
    // GIVEN
    const stack = newStack();
    someResources(stack);
    // WHEN
    stack.addOverride('terraform.required_providers.digitalocean.version', '2.71.0');
    // THEN
    expect(requiredProviders(stack)).toEqual({ digitalocean: { source: 'digitalocean/digitalocean', version: '2.71.0' } });
  });

  test('declares the requirement once per stack, in each stack that has DigitalOcean resources', () => {
    // GIVEN
    const app = Testing.app();
    const first = new TerraformStack(app, 'first');
    const second = new TerraformStack(app, 'second');
    // WHEN
    someResources(first);
    someResources(new Construct(first, 'More'));
    someResources(second);
    // THEN
    for (const stack of [first, second]) {
      expect(requiredProviders(stack)).toEqual({ digitalocean: LOWER_BOUND });
      expect(Testing.synthHcl(stack).match(/digitalocean = \{/g)).toHaveLength(1);
      expect(stack.node.findAll().filter(c => c.node.id === 'cdktf-docker-vm-digitalocean-provider')).toHaveLength(1);
    }
  });

  test('a stack of local stages only requires no provider', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
    // THEN
    expect(requiredProviders(stack)).toBeUndefined();
  });
});
