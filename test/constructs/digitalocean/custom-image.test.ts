import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { SpacesBucketObject } from '@cdktf/provider-digitalocean/lib/spaces-bucket-object';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  Bootloader, Compression, ContainerRootfs, CustomImage, CustomImageProps, CustomImageResource, DiskFormat, DiskImage, Distribution, Droplet,
  Firmware, ImageArtifact, Region, RootfsSource, SpacesBucketResource, UrlCustomImageProps,
} from '../../../src';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';
import { chain, HEX64, PINNED, resource, resources } from '../helpers';

function image(props: Partial<CustomImageProps> = {}, sizeGiB?: number): { stack: TerraformStack; image: CustomImage; bootloader: Bootloader } {
  const stack = new TerraformStack(Testing.app(), 'test');
  new DigitaloceanProvider(stack, 'do', {});
  const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
  const disk = new DiskImage(stack, 'Disk', { rootfs, sizeGiB });
  const bootloader = new Bootloader(stack, 'Bootloader', { disk });
  return { stack, bootloader, image: new CustomImage(stack, 'Image', { bootloader, regions: [Region.NYC3], bucketName: 'my-images', ...props }) };
}

describe('CustomImage', () => {
  test('converts to gzipped qcow2 and uploads it under a key holding the fingerprint', () => {
    // GIVEN
    const { stack, image: img } = image();
    const synth = Testing.synth(stack);
    // THEN
    expect(img.fingerprint).toMatch(HEX64);
    expect(img.artifactPath).toBe(`docker-vm-artifacts/${img.fingerprint}-convert.qcow2.gz`);
    expect(synth).toHaveResourceWithProperties(TerraformData, {
      triggers_replace: expect.objectContaining({ fingerprint: img.fingerprint, artifact_path: img.artifactPath }),
    });
    expect(resource(stack, 'terraform_data', 'Image_Upload_').input).toEqual({
      file: img.artifactPath,
      endpoint: 'https://nyc3.digitaloceanspaces.com',
      region: 'nyc3',
      bucket: 'my-images',
      key: `docker-vm/${img.fingerprint}.qcow2.gz`,
      owner: 'test/Image',
      partSizeMiB: 32,
    });
  });

  test('the convert stage checks the image against DigitalOcean\'s rules before upload (preflight in its spec file)', () => {
    // GIVEN
    const { stack, image: img } = image();
    // WHEN
    const outdir = Testing.fullSynth(stack);
    // THEN
    const specFile = path.join(outdir, 'stacks', 'test', 'docker-vm-specs', `${img.fingerprint}-convert.json`);
    const content = JSON.parse(readFileSync(specFile, 'utf8'));
    expect(content.spec).toMatchObject({ stage: 'convert', format: 'qcow2', compression: 'gzip', preflight: 'digitalocean' });
  });

  test('a plain ImageArtifact has no preflight', () => {
    // GIVEN
    const { stack, bootloader } = image();
    // WHEN
    const artifact = new ImageArtifact(stack, 'Local', { bootloader, format: DiskFormat.QCOW2 });
    // THEN
    const specFile = path.join(Testing.fullSynth(stack), 'stacks', 'test', 'docker-vm-specs', `${artifact.fingerprint}-convert.json`);
    expect(JSON.parse(readFileSync(specFile, 'utf8')).spec.preflight).toBeUndefined();
  });

  test('uploads only after the conversion ran and the bucket exists, replaced only by a new key', () => {
    // GIVEN
    const { stack, image: img } = image();
    // WHEN
    const upload = resource(stack, 'terraform_data', 'Image_Upload_');
    // THEN
    expect(upload.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Image_Convert_Build_/), expect.stringMatching(/^digitalocean_spaces_bucket\.Image_Bucket_/)]);
    expect(upload.triggers_replace).toEqual({ key: `docker-vm/${img.fingerprint}.qcow2.gz` });
    expect(upload.provisioner.map((p: any) => [p['local-exec'].command, p['local-exec'].when])).toEqual([['upload-image', undefined], ['delete-image-object', 'destroy']]);
  });

  test('GIVEN a stack that an earlier version applied WHEN synthesized THEN a removed block forgets its bucket object without deleting the file', () => {
    // GIVEN the logical id an earlier version's digitalocean_spaces_bucket_object had at test/Image/Object
    const earlierStack = new TerraformStack(Testing.app(), 'test');
    new DigitaloceanProvider(earlierStack, 'do', {});
    const earlierObject = new SpacesBucketObject(new Construct(earlierStack, 'Image'), 'Object', { bucket: 'b', region: 'nyc3', key: 'k' });
    const earlierAddress = `digitalocean_spaces_bucket_object.${earlierStack.getLogicalId(earlierObject)}`;
    // WHEN this version is synthesized with two images
    const { stack, bootloader } = image();
    new CustomImage(stack, 'Second', { bootloader, regions: [Region.NYC3], bucketName: 'my-images', objectKeyPrefix: 'other/' });
    // THEN
    const removed = JSON.parse(Testing.synth(stack)).removed;
    expect(removed).toEqual([
      { from: earlierAddress, lifecycle: { destroy: false } },
      { from: expect.stringMatching(/^digitalocean_spaces_bucket_object\.Second_Object_\w{8}$/), lifecycle: { destroy: false } },
    ]);
  });

  test('GIVEN the default stack WHEN synthesized THEN no Spaces object resource and no ACL resource exist, so the plan has nothing to drift', () => {
    const synth = JSON.parse(Testing.synth(image().stack));
    expect(Object.keys(synth.resource).filter(type => type.startsWith('digitalocean_spaces_bucket_'))).toEqual([]);
  });

  test('GIVEN an image WHEN synthesized THEN the import waits for the upload, the seal runs beside the import, and Droplets wait for both', () => {
    // GIVEN
    const { stack, image: img } = image();
    new Droplet(stack, 'Web', { image: img, sshKeyIds: ['1'] });
    // WHEN
    const custom = resource(stack, 'digitalocean_custom_image', 'Image_');
    const seal = resource(stack, 'terraform_data', 'Image_Seal_');
    const droplet = resource(stack, 'digitalocean_droplet', 'Web_Droplet1');
    // THEN
    expect(custom.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Image_Upload_/)]);
    expect(seal.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Image_Upload_/)]);
    expect(seal.provisioner[0]['local-exec'].command).toBe('seal-image');
    expect(seal.input).toEqual(expect.objectContaining({
      imageName: `docker-vm-${img.fingerprint.slice(0, 12)}`,
      key: `docker-vm/${img.fingerprint}.qcow2.gz`,
      owner: 'test/Image',
      uploadResource: expect.stringMatching(/^terraform_data\.Image_Upload_\w+$/),
      timeoutSeconds: 60 * 60 + 300,
    }));
    expect(droplet.depends_on).toEqual([expect.stringMatching(/^digitalocean_custom_image\.Image_/), expect.stringMatching(/^terraform_data\.Image_Seal_/)]);
  });

  test('GIVEN a spacesEndpoint template WHEN synthesized THEN the upload goes there and the image imports from that URL', () => {
    // GIVEN
    const { stack, image: img } = image({ spacesEndpoint: 'http://127.0.0.1:9000/', regions: [Region.AMS3], uploadPartSizeMiB: 8 });
    // THEN
    expect(img.imageUrl).toBe(`http://127.0.0.1:9000/my-images/docker-vm/${img.fingerprint}.qcow2.gz`);
    expect(resource(stack, 'terraform_data', 'Image_Upload_').input).toEqual(expect.objectContaining({ endpoint: 'http://127.0.0.1:9000', partSizeMiB: 8 }));
    expect(resource(stack, 'digitalocean_custom_image', 'Image_').url).toBe(img.imageUrl);
    const regional = image({ spacesEndpoint: 'https://{{.Region}}.example-spaces.net', regions: [Region.FRA1] }).image;
    expect(regional.imageUrl).toBe(`https://my-images.fra1.example-spaces.net/docker-vm/${regional.fingerprint}.qcow2.gz`);
  });

  test('creates a private Spaces bucket in the first region by default', () => {
    // GIVEN
    const { stack, image: img } = image({ regions: [Region.AMS3, Region.FRA1] });
    // THEN
    expect(img.bucket).toBeDefined();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SpacesBucketResource, { name: 'my-images', region: 'ams3', acl: 'private' });
    expect(resource(stack, 'terraform_data', 'Image_Upload_').input).toEqual(expect.objectContaining({ region: 'ams3', endpoint: 'https://ams3.digitaloceanspaces.com' }));
  });

  test('uploads to an existing bucket in the given region', () => {
    // GIVEN
    const { stack, image: img } = image({ createBucket: false, bucketName: 'shared-images', bucketRegion: Region.SFO3, objectKeyPrefix: 'vm/web/' });
    // THEN
    expect(img.bucket).toBeUndefined();
    expect(resources(stack, 'digitalocean_spaces_bucket')).toEqual({});
    const upload = resource(stack, 'terraform_data', 'Image_Upload_');
    expect(upload.input).toEqual(expect.objectContaining({ bucket: 'shared-images', region: 'sfo3', key: `vm/web/${img.fingerprint}.qcow2.gz` }));
    expect(upload.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Image_Convert_Build_/)]);
  });

  test('imports from the object URL, creating the new image before destroying the old', () => {
    // GIVEN
    const { stack, image: img } = image({ regions: [Region.NYC3, Region.SFO3], tags: ['web'], distribution: Distribution.DEBIAN });
    // WHEN
    const custom = resource(stack, 'digitalocean_custom_image', 'Image_');
    // THEN
    expect(custom).toEqual(expect.objectContaining({
      name: `docker-vm-${img.fingerprint.slice(0, 12)}`,
      url: `https://my-images.nyc3.digitaloceanspaces.com/docker-vm/${img.fingerprint}.qcow2.gz`,
      regions: ['nyc3', 'sfo3'],
      distribution: 'Debian',
      description: `built by cdktf-docker-vm, fingerprint ${img.fingerprint}`,
      tags: ['web'],
      timeouts: { create: '60m' },
      lifecycle: { create_before_destroy: true },
    }));
  });

  test('takes the name, description and import timeout from the props', () => {
    // GIVEN
    const { stack } = image({ imageName: 'web', description: 'web server', importTimeoutMinutes: 90 });
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(CustomImageResource, { name: 'web', description: 'web server', timeouts: { create: '90m' } });
  });

  test('uploads the chosen format and compression', () => {
    // GIVEN
    const { stack, image: img } = image({ format: DiskFormat.RAW, compression: Compression.BZIP2 });
    // THEN
    expect(resource(stack, 'terraform_data', 'Image_Upload_').input.key).toBe(`docker-vm/${img.fingerprint}.img.bz2`);
  });

  test('exposes the image id as a number token', () => {
    const { image: img } = image();
    expect(typeof img.imageId).toBe('number');
  });

  test('accepts a 100 GiB disk', () => {
    expect(() => image({}, 100)).not.toThrow();
  });

  test.each([
    [{ format: DiskFormat.VHD }, /^format must be one of raw, qcow2, vmdk, vhdx, vdi for a DigitalOcean custom image, got vhd/],
    [{ format: DiskFormat.OVA }, /^format must be one of raw, qcow2, vmdk, vhdx, vdi for a DigitalOcean custom image, got ova; use DiskFormat.QCOW2/],
    [{ format: DiskFormat.VAGRANT_LIBVIRT }, /^format must be one of raw, qcow2, vmdk, vhdx, vdi for a DigitalOcean custom image, got vagrant-libvirt; use DiskFormat.QCOW2/],
    [{ regions: [] }, /^regions must name at least one region, got none/],
    [{ bucketName: 'My_Bucket' }, /^bucketName must be 3 to 63 lowercase letters, digits and '-'.*got "My_Bucket"/],
    [{ objectKeyPrefix: '/abs/' }, /^objectKeyPrefix must be empty or folder names/],
    [{ objectKeyPrefix: 'no-slash' }, /^objectKeyPrefix must be empty or folder names/],
    [{ importTimeoutMinutes: 0 }, /^importTimeoutMinutes must be a whole number of minutes, 1 or more, got 0/],
    [{ tags: ['has space'] }, /^tags must be letters, digits, ':', '-' and '_'.*got \["has space"\]/],
    [{ bucketName: '' }, /^bucketName must be 3 to 63 lowercase letters.*got ""/],
    [{ bucketName: 42 as unknown as string }, /^bucketName must be 3 to 63 lowercase letters.*got 42/],
    [{ imageName: '' }, /^imageName must not be empty, got ""; leave it unset for the default name/],
    [{ spacesEndpoint: 'ftp://{{.Region}}.example.com' }, /^spacesEndpoint must start with https:\/\/, got "ftp:\/\/\{\{\.Region\}\}\.example\.com"; leave it unset/],
    [{ spacesEndpoint: 'not a url' }, /^spacesEndpoint must be a URL such as https:\/\/\{\{\.Region\}\}\.digitaloceanspaces\.com, got "not a url"/],
    [{ uploadPartSizeMiB: 4 }, /^uploadPartSizeMiB must be a whole number from 5 to 5120 \(S3's part limits\), got 4; leave it unset for 32/],
    [{ importTimeoutMinutes: NaN }, /^importTimeoutMinutes must be a whole number of minutes, 1 or more, got NaN/],
    [{ importTimeoutMinutes: -5 }, /^importTimeoutMinutes must be a whole number of minutes, 1 or more, got -5/],
    [{ regions: undefined }, /^regions must be set for CustomImage, got undefined; pass it in the props/],
    [{ bucketName: null as unknown as string }, /^bucketName must be set for CustomImage, got null/],
  ])('fails when the props are %j', (props, message) => {
    expect(() => image(props)).toThrow(message);
  });

  test('fails when the disk is larger than 100 GiB', () => {
    expect(() => image({}, 101)).toThrow(/^sizeGiB must be 100 or less for a DigitalOcean custom image \(DigitalOcean limit\), got 101; leave it unset/);
  });

  test('fails at synth when the bootloader boots with UEFI: DigitalOcean boots custom images with BIOS only', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    new DigitaloceanProvider(stack, 'do', {});
    const disk = new DiskImage(stack, 'Disk', { rootfs: new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) }) });
    const bootloader = new Bootloader(stack, 'Bootloader', { disk, firmware: Firmware.UEFI });
    // WHEN
    const make = () => new CustomImage(stack, 'Image', { bootloader, regions: [Region.NYC3], bucketName: 'my-images' });
    // THEN
    expect(make).toThrow(
      'bootloader firmware must be Firmware.BIOS for a DigitalOcean custom image, got Firmware.UEFI: ' +
      'DigitalOcean boots custom images with BIOS only; remove firmware: Firmware.UEFI from the Bootloader',
    );
  });

  test('a UEFI bootloader still makes a local ImageArtifact', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    const disk = new DiskImage(stack, 'Disk', { rootfs: new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) }) });
    const bootloader = new Bootloader(stack, 'Bootloader', { disk, firmware: Firmware.UEFI });
    // THEN
    expect(() => new ImageArtifact(stack, 'Local', { bootloader, format: DiskFormat.QCOW2 })).not.toThrow();
  });

  test('a BIOS bootloader, given explicitly, makes a custom image', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    new DigitaloceanProvider(stack, 'do', {});
    const disk = new DiskImage(stack, 'Disk', { rootfs: new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) }) });
    const bootloader = new Bootloader(stack, 'Bootloader', { disk, firmware: Firmware.BIOS });
    // THEN
    expect(() => new CustomImage(stack, 'Image', { bootloader, regions: [Region.NYC3], bucketName: 'my-images' })).not.toThrow();
  });

  test('two CustomImages naming the same bucket share the one the first creates', () => {
    // GIVEN
    const { stack, bootloader, image: first } = image();
    // WHEN
    const second = new CustomImage(stack, 'Second', { bootloader, regions: [Region.NYC3], bucketName: 'my-images', objectKeyPrefix: 'other/' });
    // THEN one bucket resource, and the second upload goes to it (so it waits for it)
    expect(Object.keys(resources(stack, 'digitalocean_spaces_bucket'))).toHaveLength(1);
    expect(first.bucket).toBeDefined();
    expect(second.bucket).toBeUndefined();
    expect(resource(stack, 'terraform_data', 'Second_Upload_').depends_on).toContainEqual(expect.stringMatching(/^digitalocean_spaces_bucket\.Image_Bucket_/));
  });

  test('fails when two CustomImages create the same bucket in different regions', () => {
    // GIVEN
    const { stack, bootloader } = image();
    // WHEN
    const make = () => new CustomImage(stack, 'Second', { bootloader, regions: [Region.SFO3], bucketName: 'my-images' });
    // THEN
    expect(make).toThrow(/^bucketName my-images is already created in region nyc3 by test\/Image, and test\/Second wants it in sfo3; .*give this one another bucketName, or the same bucketRegion$/);
  });

  test('buckets of the same name in two stacks are not shared', () => {
    // GIVEN two stacks, each with its own image (Terraform applies each stack on its own)
    const { stack: a } = image();
    const { stack: b } = image();
    // THEN
    expect(Object.keys(resources(a, 'digitalocean_spaces_bucket'))).toHaveLength(1);
    expect(Object.keys(resources(b, 'digitalocean_spaces_bucket'))).toHaveLength(1);
  });

  test('lists every failing rule in one error', () => {
    expect(() => image({ format: DiskFormat.VHD, importTimeoutMinutes: -1 })).toThrow(/^format must be[^\n]*\nimportTimeoutMinutes must be/);
  });

  test('works in a chain built from a Dockerfile', () => {
    // GIVEN
    const c = chain();
    // WHEN
    const img = new CustomImage(c.stack, 'Image', { bootloader: c.bootloader, regions: [Region.of('nyc3')], bucketName: 'my-images' });
    // THEN
    expect(img.artifact.bootloader).toBe(c.bootloader);
  });
});

describe('CustomImage regions', () => {
  test('GIVEN a region added after the first WHEN synthesized again THEN only the image\'s regions differ: no re-upload, no new image URL', () => {
    // GIVEN one image in nyc3, then the same image in nyc3 and ams3
    const one = JSON.parse(Testing.synth(image({ regions: [Region.NYC3] }).stack)).resource;
    const two = JSON.parse(Testing.synth(image({ regions: [Region.NYC3, Region.AMS3] }).stack)).resource;
    // THEN everything but the custom image is identical (the provider updates regions in place)
    const withoutImage = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([type]) => type !== 'digitalocean_custom_image'));
    expect(withoutImage(two)).toEqual(withoutImage(one));
    const [imageOne] = Object.values(one.digitalocean_custom_image) as Array<Record<string, unknown>>;
    const [imageTwo] = Object.values(two.digitalocean_custom_image) as Array<Record<string, unknown>>;
    expect({ ...imageTwo, regions: undefined }).toEqual({ ...imageOne, regions: undefined });
    expect(imageTwo.regions).toEqual(['nyc3', 'ams3']);
  });
});


describe('CustomImage.fromUrl', () => {
  function fromUrl(props: Partial<UrlCustomImageProps> = {}) {
    const stack = new TerraformStack(Testing.app(), 'test');
    new DigitaloceanProvider(stack, 'do', {});
    const img = CustomImage.fromUrl(stack, 'Hosted', { url: 'https://images.example.com/releases/app-1.4.qcow2.gz', regions: [Region.NYC3], ...props });
    return { stack, img };
  }

  test('GIVEN a hosted qcow2.gz WHEN synthesized THEN it imports from the URL after a HEAD probe, uploads nothing, and Droplets boot it', () => {
    // GIVEN
    const { stack, img } = fromUrl();
    new Droplet(stack, 'Web', { image: img, sshKeyIds: ['1'] });
    // WHEN
    const custom = resource(stack, 'digitalocean_custom_image', 'Hosted_Image');
    const probe = resource(stack, 'terraform_data', 'Hosted_Probe');
    // THEN
    expect(custom).toEqual(expect.objectContaining({ name: 'app-1.4', url: 'https://images.example.com/releases/app-1.4.qcow2.gz', regions: ['nyc3'] }));
    expect(custom.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Hosted_Probe_/)]);
    expect(probe.input).toEqual({ url: 'https://images.example.com/releases/app-1.4.qcow2.gz' });
    expect(probe.provisioner[0]['local-exec'].command).toBe('probe-image-url');
    expect(Object.keys(resources(stack, 'terraform_data'))).toHaveLength(1);
    expect(resources(stack, 'digitalocean_spaces_bucket')).toEqual({});
    expect(resource(stack, 'digitalocean_droplet', 'Web_Droplet1').depends_on).toEqual([expect.stringMatching(/^digitalocean_custom_image\.Hosted_Image_/)]);
    expect(img.imageUrl).toBe('https://images.example.com/releases/app-1.4.qcow2.gz');
  });

  test.each([
    [{ url: 'http://images.example.com/app.qcow2' }, /^url must start with https:\/\/ \(DigitalOcean imports over HTTPS\)/],
    [{ url: 'https://images.example.com/download?id=3' }, /^url must end with the image's file name \(\.img, \.qcow2/],
    [{ url: 'https://images.example.com/app.iso' }, /^url must end with the image's file name/],
    [{ url: 'https://images.example.com/app.qcow2.xz' }, /^url must end with the image's file name/],
    [{ regions: [] }, /^regions must name at least one region, got none/],
    [{ url: undefined }, /^url must be set for CustomImage\.fromUrl, got undefined/],
  ])('fails when the props are %j', (props, message) => {
    expect(() => fromUrl(props as Partial<UrlCustomImageProps>)).toThrow(message);
  });

  test('accepts every format DigitalOcean imports, plain or compressed', () => {
    for (const file of ['a.img', 'a.raw.bz2', 'a.vhdx', 'a.vdi.gz', 'a.vmdk', 'a.qcow2']) {
      expect(() => fromUrl({ url: `https://x.example.com/${file}` })).not.toThrow();
    }
  });
});
