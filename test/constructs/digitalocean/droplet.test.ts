import { TerraformVariable, Testing } from 'cdktf';
import { Droplet, DropletProps, DropletResource, DropletSize, Region, SshKey } from '../../../src';
import { imageChain, resources } from '../helpers';

function droplets(props: Partial<DropletProps> = {}) {
  const c = imageChain();
  const droplet = new Droplet(c.stack, 'Web', { image: c.image, sshKeyIds: ['12345'], ...props });
  return { ...c, droplet, synthesized: resources(c.stack, 'digitalocean_droplet') };
}

describe('Droplet', () => {
  test('boots the custom image in its first region with the default size', () => {
    // GIVEN
    const { stack, droplet } = droplets();
    // THEN
    expect(droplet.names).toEqual(['web']);
    expect(droplet.region).toBe(Region.NYC3);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DropletResource, {
      name: 'web',
      image: expect.stringMatching(/^\$\{digitalocean_custom_image\.Image_\w+\.image_id\}$/),
      region: 'nyc3',
      size: 's-1vcpu-1gb',
      ssh_keys: ['12345'],
      lifecycle: { create_before_destroy: true },
    });
  });

  test('leaves IPv6 and monitoring unset', () => {
    const { synthesized } = droplets();
    const [droplet] = Object.values(synthesized);
    expect(droplet.ipv6).toBeUndefined();
    expect(droplet.monitoring).toBeUndefined();
  });

  test('numbers the names and child IDs of several Droplets', () => {
    // GIVEN
    const { droplet, synthesized } = droplets({ count: 3, name: 'web' });
    // THEN
    expect(droplet.names).toEqual(['web-1', 'web-2', 'web-3']);
    expect(droplet.droplets.map(d => d.node.id)).toEqual(['Droplet1', 'Droplet2', 'Droplet3']);
    expect(Object.values(synthesized).map(d => d.name).sort()).toEqual(['web-1', 'web-2', 'web-3']);
    expect(droplet.ipv4Addresses).toHaveLength(3);
    expect(droplet.dropletIds).toHaveLength(3);
  });

  test('passes size, region, user data, tags and VPC through', () => {
    // GIVEN
    const c = imageChain();
    // WHEN
    new Droplet(c.stack, 'Web', {
      image: c.image,
      sshKeyIds: ['aa:bb'],
      size: DropletSize.of('c-2'),
      region: Region.NYC3,
      userData: '#cloud-config\n',
      tags: ['web', 'env:prod'],
      vpcUuid: 'f9b0769c-e118-42fb-a0c4-fed15ef69662',
    });
    // THEN
    expect(Testing.synth(c.stack)).toHaveResourceWithProperties(DropletResource, {
      size: 'c-2', region: 'nyc3', user_data: '#cloud-config\n', tags: ['web', 'env:prod'], vpc_uuid: 'f9b0769c-e118-42fb-a0c4-fed15ef69662',
    });
  });

  test('takes SSH keys managed in the stack', () => {
    // GIVEN
    const c = imageChain();
    const key = new SshKey(c.stack, 'Key', { name: 'me', publicKey: 'ssh-ed25519 AAAA me' });
    // WHEN
    new Droplet(c.stack, 'Web', { image: c.image, sshKeys: [key], sshKeyIds: ['12345'] });
    // THEN
    expect(Testing.synth(c.stack)).toHaveResourceWithProperties(DropletResource, {
      ssh_keys: ['12345', expect.stringMatching(/^\$\{digitalocean_ssh_key\.Key(_\w+)?\.id\}$/)],
    });
  });

  test('accepts SSH keys and a name from variables', () => {
    // GIVEN
    const c = imageChain();
    const key = new TerraformVariable(c.stack, 'key', { type: 'string' });
    // THEN
    expect(() => new Droplet(c.stack, 'Web', { image: c.image, sshKeyIds: [key.stringValue] })).not.toThrow();
  });

  test('accepts user data of exactly 64 KiB', () => {
    expect(() => droplets({ userData: 'x'.repeat(65536) })).not.toThrow();
  });

  test('names the Droplet after its construct path by default', () => {
    // GIVEN
    const c = imageChain();
    // WHEN
    const droplet = new Droplet(c.stack, 'Web_Server', { image: c.image, sshKeyIds: ['1'] });
    // THEN
    expect(droplet.names).toEqual(['web-server']);
  });

  test.each([
    ['no SSH key ids', { sshKeyIds: [] }, /^sshKeyIds or sshKeys must name at least one SSH key, got none; DigitalOcean disables password login/],
    ['no SSH keys at all', { sshKeyIds: undefined }, /^sshKeyIds or sshKeys must name at least one SSH key/],
    ['user data is 64 KiB plus 1 byte', { userData: 'x'.repeat(65537) }, /^userData must be 65536 bytes or less \(DigitalOcean limit\), got 65537 bytes/],
    ['user data is over 64 KiB in UTF-8 bytes', { userData: '\u00e9'.repeat(32769) }, /^userData must be 65536 bytes or less \(DigitalOcean limit\), got 65538 bytes/],
    ['ipv6 is true', { ipv6: true }, /^ipv6 must be false: DigitalOcean does not support IPv6 on Droplets from custom images/],
    ['monitoring is true', { monitoring: true }, /^monitoring must be false: DigitalOcean cannot enable monitoring/],
    ['the region is not an image region', { region: Region.SFO3 }, /^region must be one of the image's regions \(nyc3\), got sfo3; add sfo3 to the CustomImage regions or leave region unset to use nyc3/],
    ['count is 0', { count: 0 }, /^count must be a whole number, 1 or more/],
    ['count is fractional', { count: 1.5 }, /^count must be a whole number, 1 or more/],
    ['count is NaN', { count: NaN }, /^count must be a whole number, 1 or more/],
    ['count is negative', { count: -2 }, /^count must be a whole number, 1 or more/],
    ['count is huge', { count: 1e9 }, /^count must be 1000 or less, got 1000000000; pass the number of Droplets you want/],
    ['the name has an underscore', { name: 'web_1' }, /^name must be a hostname .*got "web_1"/],
    ['the name starts with a dash', { name: '-web' }, /^name must be a hostname .*got "-web"/],
    ['the name has a 64-character label', { name: 'a'.repeat(64) }, /^name must be a hostname/],
    ['a numbered name gets too long', { name: 'a'.repeat(61), count: 10 }, /^name must be a hostname .*got "a{61}-10"/],
    ['a tag has a space', { tags: ['a b'] }, /^tags must be letters, digits/],
  ])('fails when %s', (_name, props, message) => {
    expect(() => droplets(props as Partial<DropletProps>)).toThrow(message);
  });

  test('accepts dotted hostnames', () => {
    expect(droplets({ name: 'web.example.com' }).droplet.names).toEqual(['web.example.com']);
  });
});

describe('DropletSize and Region', () => {
  test('keep the slug', () => {
    expect(DropletSize.S_2VCPU_4GB.slug).toBe('s-2vcpu-4gb');
    expect(Region.of('tor1').slug).toBe('tor1');
  });

  test('fails when a slug is malformed', () => {
    expect(() => DropletSize.of('S 1')).toThrow(/^size slug must be lowercase letters, digits and '-'/);
    expect(() => Region.of('New York')).toThrow(/^region slug must be lowercase letters followed by digits/);
  });
});

describe('Droplet readiness gate', () => {
  test('GIVEN readinessPort WHEN synthesized THEN each Droplet gets a gate replaced with it, create-before-destroy, waiting on its address', () => {
    // GIVEN
    const { stack } = droplets({ count: 2, name: 'web', readinessPort: 8080, readinessHttpPath: '/healthz' });
    // WHEN
    const gates = resources(stack, 'terraform_data');
    const gateIds = Object.keys(gates).filter(id => id.startsWith('Web_Ready'));
    // THEN one gate per Droplet, each tied to its own Droplet
    expect(gateIds).toHaveLength(2);
    gateIds.forEach((id, i) => {
      const gate = gates[id];
      const droplet = `digitalocean_droplet.Web_Droplet${i + 1}_`;
      expect(gate.triggers_replace.droplet).toMatch(new RegExp(`^\\$\\{${droplet.replace(/\./g, '\\.')}\\w+\\.id\\}$`));
      expect(gate.input).toEqual({
        host: expect.stringMatching(new RegExp(`^\\$\\{${droplet.replace(/\./g, '\\.')}\\w+\\.ipv4_address\\}$`)),
        port: 8080,
        httpPath: '/healthz',
        timeoutSeconds: 600,
      });
      // AND the gate is created before the deposed Droplet is destroyed
      expect(gate.lifecycle).toEqual({ create_before_destroy: true });
      // AND its command line holds no user string: the input travels in the environment
      expect(gate.provisioner).toEqual([{
        'local-exec': {
          interpreter: ['node', expect.stringMatching(/lib\/builder\/cli\.js$/)],
          command: 'wait-ready',
          environment: { CDKTF_DOCKER_VM_INPUT: '${jsonencode(self.input)}' },
        },
      }]);
    });
  });

  test('GIVEN no readinessPort WHEN synthesized THEN there is no gate', () => {
    const { stack, droplet } = droplets();
    expect(droplet.readinessGates).toEqual([]);
    expect(Object.keys(resources(stack, 'terraform_data')).filter(id => id.includes('Ready'))).toEqual([]);
  });

  test.each<[string, Partial<DropletProps>, RegExp]>([
    ['port 0', { readinessPort: 0 }, /readinessPort must be a whole number from 1 to 65535, got 0/],
    ['a path without a slash', { readinessPort: 80, readinessHttpPath: 'healthz' }, /readinessHttpPath must start with '\/', got "healthz"/],
    ['a path without a port', { readinessHttpPath: '/healthz' }, /need readinessPort, which is not set/],
    ['a zero timeout', { readinessPort: 80, readinessTimeoutMinutes: 0 }, /readinessTimeoutMinutes must be more than 0, got 0/],
  ])('GIVEN %s WHEN synthesized THEN the error names the prop and the fix', (_what, props, message) => {
    expect(() => droplets(props)).toThrow(message);
  });
});
