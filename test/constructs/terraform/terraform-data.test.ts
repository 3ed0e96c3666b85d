import 'cdktf/lib/testing/adapters/jest';
import { DataResource, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';

describe('TerraformData', () => {
  test('synthesizes the same resource as cdktf\'s DataResource for the same id and arguments', () => {
    // GIVEN
    const ours = new TerraformStack(Testing.app(), 's');
    const cdktfs = new TerraformStack(Testing.app(), 's');
    const args = { input: { path: 'a.raw', n: 2 }, triggersReplace: { fingerprint: 'f'.repeat(64) }, dependsOn: [] };
    // WHEN
    new TerraformData(ours, 'Stage', args);
    new DataResource(cdktfs, 'Stage', args);
    // THEN
    const resources = (stack: TerraformStack) => JSON.parse(Testing.synth(stack)).resource;
    expect(resources(ours)).toEqual(resources(cdktfs));
    expect(Object.keys(resources(ours))).toEqual(['terraform_data']);
  });

  test('arguments set after construction and createBeforeDestroy reach the JSON', () => {
    // GIVEN
    const stack = Testing.synthScope(scope => {
      const r = new TerraformData(scope, 'Gate', { createBeforeDestroy: true });
      // WHEN
      r.input = { host: 'h' };
      r.triggersReplace = { droplet: 'd1' };
    });
    // THEN
    expect(stack).toHaveResourceWithProperties(TerraformData, {
      input: { host: 'h' },
      triggers_replace: { droplet: 'd1' },
      lifecycle: { create_before_destroy: true },
    });
  });

  test('id, input and output are references to the resource\'s attributes', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 's');
    const r = new TerraformData(stack, 'Probe');
    // WHEN
    new TerraformOutput(stack, 'refs', { value: [r.id, r.input, r.output.lookup('path')] });
    // THEN
    expect(JSON.parse(Testing.synth(stack)).output.refs.value)
      .toEqual(['${terraform_data.Probe.id}', '${terraform_data.Probe.input}', '${terraform_data.Probe.output["path"]}']);
  });
});
