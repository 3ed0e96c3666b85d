// Types of the cdktf Jest matchers (Testing.setupJest() in test/setup.ts installs them).
import 'cdktf/lib/testing/adapters/jest';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CustomImage as DoCustomImage } from '@cdktf/provider-digitalocean/lib/custom-image';
import { Droplet as DoDroplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { Testing } from 'cdktf';
import { DigitalOceanVmStack } from '../../examples/digitalocean/main';
import { LocalVmStack } from '../../examples/local/main';
import { TerraformData } from '../../src/constructs/terraform/terraform-data';

describe('examples', () => {
  test('local: builds a qcow2 with four local stages and outputs its path', () => {
    // GIVEN
    const stack = new LocalVmStack(Testing.app(), 'local-vm');
    // WHEN
    const synth = Testing.synth(stack);
    const json = JSON.parse(synth);
    // THEN
    expect(Object.keys(json.resource.terraform_data)).toHaveLength(4);
    expect(synth).toHaveResourceWithProperties(TerraformData, { triggers_replace: expect.objectContaining({ fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) }) });
    expect(json.output.image_path.value).toMatch(/^\$\{abspath\("docker-vm-artifacts\/[0-9a-f]{64}-convert\.qcow2"\)\}$/);
    expect(Object.keys(json.resource)).toEqual(['terraform_data']);
  });

  test('local: writes the spec files when fully synthesized', () => {
    // GIVEN
    const stack = new LocalVmStack(Testing.app(), 'local-vm');
    // WHEN
    const outdir = Testing.fullSynth(stack);
    // THEN
    expect(existsSync(path.join(outdir, 'stacks', 'local-vm', 'docker-vm-specs'))).toBe(true);
  });

  test('digitalocean: imports a custom image and starts two Droplets', () => {
    // GIVEN
    const stack = new DigitalOceanVmStack(Testing.app(), 'digitalocean-vm');
    // WHEN
    const synth = Testing.synth(stack);
    const json = JSON.parse(synth);
    // THEN
    expect(synth).toHaveResourceWithProperties(DoCustomImage, { regions: ['nyc3'], distribution: 'Debian' });
    expect(Object.values(json.resource.digitalocean_droplet).map((d: any) => d.name)).toEqual(['web-1', 'web-2']);
    expect(synth).toHaveResourceWithProperties(DoDroplet, { ssh_keys: ['${var.ssh_key_fingerprint}'] });
    expect(json.output.ipv4_addresses.value).toHaveLength(2);
    const gates = Object.entries(json.resource.terraform_data).filter(([id]) => id.includes('_Ready'));
    expect(gates.map(([, gate]: [string, any]) => [gate.input.port, gate.input.httpPath])).toEqual([[80, '/'], [80, '/']]);
  });
});
