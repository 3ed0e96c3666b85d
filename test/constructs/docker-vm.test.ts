import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { Testing } from 'cdktf';
import { makeContext, newStack } from './helpers';
import { DockerVm, DockerVmProps, DropletResource, Inject, Region, RootfsSource } from '../../src';
import * as contextHash from '../../src/builder/common/context-hash';
import { TerraformData } from '../../src/constructs/terraform/terraform-data';

function vm(props: Partial<DockerVmProps> = {}) {
  const stack = newStack();
  new DigitaloceanProvider(stack, 'do', {});
  const dockerVm = new DockerVm(stack, 'Web', {
    source: RootfsSource.fromDockerfile(makeContext()),
    regions: [Region.NYC3],
    bucketName: 'my-images',
    sshKeyIds: ['12345'],
    ...props,
  });
  return { stack, vm: dockerVm };
}

describe('DockerVm', () => {
  test.each([
    ['source', { source: undefined }, /^source must be set for DockerVm, got undefined; pass it in the props$/],
    ['regions', { regions: undefined }, /^regions must be set for DockerVm/],
    ['bucketName', { bucketName: null }, /^bucketName must be set for DockerVm, got null/],
  ])('fails with the prop\'s name when %s is missing, not a TypeError', (_name, props, message) => {
    expect(() => vm(props as unknown as Partial<DockerVmProps>)).toThrow(message);
  });

  test.each([
    [{ sshKeyIds: [''] }, /^sshKeyIds must not hold empty ids, got \[""\]; pass SSH key ids or fingerprints/],
    [{ dropletCount: NaN }, /^count must be a whole number, 1 or more/],
    [{ dropletCount: 1e9 }, /^count must be 1000 or less, got 1000000000/],
    [{ userData: 'x'.repeat(70_000) }, /^userData must be 65536 bytes or less \(DigitalOcean limit\), got 70000 bytes/],
    [{ sizeGiB: NaN }, /^sizeGiB must be a whole number of GiB, 1 or more, got NaN/],
    [{ sizeGiB: 0 }, /^sizeGiB must be a whole number of GiB, 1 or more, got 0/],
    [{ bootPartitionSizeMiB: 16 }, /^bootPartitionSizeMiB must be a whole number of MiB, 32 or more, got 16/],
    [{ dropletName: '' }, /^name must be a hostname/],
  ])('fails when the props are %j', (props, message) => {
    expect(() => vm(props as Partial<DockerVmProps>)).toThrow(message);
  });

  test('two DockerVms with the same bucketName and createBucket left true synthesize one bucket', () => {
    // GIVEN
    const { stack } = vm();
    // WHEN
    new DockerVm(stack, 'Api', { source: RootfsSource.fromDockerfile(makeContext()), regions: [Region.NYC3], bucketName: 'my-images', sshKeyIds: ['12345'] });
    // THEN
    const buckets = JSON.parse(Testing.synth(stack)).resource.digitalocean_spaces_bucket;
    expect(Object.values(buckets).map((b: any) => b.name)).toEqual(['my-images']);
  });

  test('composes the five stages with stable child IDs', () => {
    // GIVEN
    const { vm: v } = vm();
    // THEN
    expect(v.node.children.map(c => c.node.id)).toEqual(['Rootfs', 'Disk', 'Bootloader', 'Image', 'Droplet']);
    expect(v.disk.rootfs).toBe(v.rootfs);
    expect(v.bootloader.disk).toBe(v.disk);
    expect(v.customImage.artifact.bootloader).toBe(v.bootloader);
  });

  test('walks its build context once, however many stages sit on it', () => {
    // GIVEN
    const walks = jest.spyOn(contextHash, 'hashBuildContext');
    // WHEN
    const { stack } = vm();
    Testing.synth(stack);
    // THEN
    expect(walks).toHaveBeenCalledTimes(1);
    walks.mockRestore();
  });

  test('declares four local stages, the upload and the seal, and names the Droplets after the VM', () => {
    // GIVEN
    const { stack, vm: v } = vm({ dropletCount: 2 });
    const synth = Testing.synth(stack);
    // THEN
    const ids = Object.keys(JSON.parse(synth).resource.terraform_data);
    expect(ids.filter(id => id.includes('_Build_'))).toHaveLength(4);
    expect(ids.filter(id => !id.includes('_Build_')).map(id => id.replace(/_\w{8}$/, ''))).toEqual(['Web_Image_Seal', 'Web_Image_Upload']);
    expect(synth).toHaveResourceWithProperties(TerraformData, { triggers_replace: expect.objectContaining({ fingerprint: v.rootfs.fingerprint }) });
    expect(synth).toHaveResourceWithProperties(DropletResource, { name: 'web-1' });
    expect(v.droplet.names).toEqual(['web-1', 'web-2']);
  });

  test('passes the disk options down', () => {
    const { vm: v } = vm({ sizeGiB: 8, extraKernelArgs: ['quiet'] });
    expect(v.disk.sizeGiB).toBe(8);
    expect(v.bootloader._spec.extraKernelArgs).toEqual(['quiet']);
  });

  test('fails when the disk is larger than DigitalOcean imports', () => {
    expect(() => vm({ sizeGiB: 200 })).toThrow(/^sizeGiB must be 100 or less for a DigitalOcean custom image/);
  });

  test('fails when the Droplet region is not an image region', () => {
    expect(() => vm({ region: Region.LON1 })).toThrow(/^region must be one of the image's regions \(nyc3\), got lon1/);
  });

  test('the rootfs always gets the DigitalOcean profile; inject and the image command are passed down', () => {
    // GIVEN a DockerVm with defaults, and one with injection off and no app service
    const { vm: defaults } = vm();
    const { vm: custom } = vm({ inject: Inject.NEVER, runImageCommand: false });
    // THEN both rootfs specs use the DigitalOcean profile
    expect(defaults.rootfs._spec.vm).toEqual({ inject: 'auto', profile: 'digitalocean', appService: true });
    expect(custom.rootfs._spec.vm).toEqual({ inject: 'never', profile: 'digitalocean', appService: false });
  });

  test('GIVEN readiness props WHEN synthesized THEN the Droplets get their gates', () => {
    // GIVEN
    const { stack, vm: dockerVm } = vm({ dropletCount: 2, readinessPort: 443, readinessHttpPath: '/ready', readinessTimeoutMinutes: 3 });
    // THEN
    expect(dockerVm.droplet.readinessGates).toHaveLength(2);
    const gates = Object.entries(JSON.parse(Testing.synth(stack)).resource.terraform_data).filter(([id]) => id.includes('_Ready'));
    expect(gates.map(([, gate]) => (gate as { input: unknown }).input)).toEqual([1, 2].map(() => expect.objectContaining({ port: 443, httpPath: '/ready', timeoutSeconds: 180 })));
  });
});
