import { Droplet as PrebuiltDroplet } from '@cdktf/provider-digitalocean/lib/droplet';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { asPrebuilt, synthesize } from './prebuilt';
import { DropletResource, DropletResourceProps } from '../../../../src';
import { TerraformData } from '../../../../src/constructs/terraform/terraform-data';

/** The props, with a token and meta-arguments, made in the stack they go in. */
function allProps(stack: TerraformStack): DropletResourceProps {
  const gate = new TerraformData(stack, 'Before', { input: { step: 'before' } });
  const key = new TerraformVariable(stack, 'key', { type: 'string' });
  return {
    name: 'web-1',
    image: '123456',
    size: 's-1vcpu-1gb',
    region: 'nyc3',
    sshKeys: ['12345', key.stringValue],
    userData: '#cloud-config\n',
    tags: ['web', 'prod'],
    vpcUuid: '506f78a4-e098-11e5-ad9f-000f53306ae1',
    createBeforeDestroy: true,
    dependsOn: [gate],
  };
}

const fewestProps = (): DropletResourceProps => ({ name: 'web-1', image: '123456', size: 's-1vcpu-1gb', region: 'nyc3' });

describe('DropletResource', () => {
  test.each([
    ['every argument the library sets', allProps],
    ['only the required arguments', fewestProps],
  ])('synthesizes the same digitalocean_droplet as the prebuilt binding, with %s', (_name, props) => {
    // GIVEN the same props, once for each binding
    const declare = (make: (stack: TerraformStack, p: DropletResourceProps) => { id: string; ipv4Address: string }) => (stack: TerraformStack) => {
      const droplet = make(stack, props(stack));
      new TerraformOutput(stack, 'id', { value: droplet.id });
      new TerraformOutput(stack, 'ip', { value: droplet.ipv4Address });
    };
    // WHEN
    const prebuilt = synthesize(declare((stack, p) => new PrebuiltDroplet(stack, 'Web', asPrebuilt(p))));
    const ours = synthesize(declare((stack, p) => new DropletResource(stack, 'Web', p)));
    // THEN
    expect(ours.json).toEqual(prebuilt.json);
    expect(ours.hcl).toEqual(prebuilt.hcl);
  });

  test('reads id and ipv4_address from the resource', () => {
    // GIVEN
    const { json } = synthesize(stack => {
      const droplet = new DropletResource(stack, 'Web', fewestProps());
      // WHEN
      new TerraformOutput(stack, 'id', { value: droplet.id });
      new TerraformOutput(stack, 'ip', { value: droplet.ipv4Address });
    });
    // THEN
    expect(json.output).toEqual({
      id: { value: '${digitalocean_droplet.Web.id}' },
      ip: { value: '${digitalocean_droplet.Web.ipv4_address}' },
    });
  });
});
