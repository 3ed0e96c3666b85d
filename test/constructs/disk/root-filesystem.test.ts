import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Bootloader, ContainerRootfs, CustomImage, DiskImage, ImageArtifact, Region, RootFilesystem, RootfsSource } from '../../../src';
import { PINNED } from '../helpers';

function stackWithDisk(rootFilesystem?: RootFilesystem) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new DigitaloceanProvider(stack, 'do', {});
  const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
  const disk = new DiskImage(stack, 'Disk', { rootfs, rootFilesystem });
  return { stack, disk, bootloader: new Bootloader(stack, 'Bootloader', { disk }) };
}

describe('DiskImage rootFilesystem', () => {
  test('leaves ext4 (the default) out of the spec, so ext4 fingerprints are unchanged', () => {
    const implicit = stackWithDisk().disk;
    const explicit = stackWithDisk(RootFilesystem.EXT4).disk;
    expect(implicit.rootFilesystem).toBe(RootFilesystem.EXT4);
    expect(implicit._spec).not.toHaveProperty('rootFilesystem');
    expect(explicit.fingerprint).toBe(implicit.fingerprint);
  });

  test('puts xfs in the disk spec and changes the fingerprint', () => {
    const ext4 = stackWithDisk().disk;
    const xfs = stackWithDisk(RootFilesystem.XFS).disk;
    expect(xfs._spec).toEqual(expect.objectContaining({ rootFilesystem: 'xfs' }));
    expect(xfs.fingerprint).not.toBe(ext4.fingerprint);
  });

  test('an XFS disk still makes a local ImageArtifact', () => {
    const { stack, bootloader } = stackWithDisk(RootFilesystem.XFS);
    expect(() => new ImageArtifact(stack, 'Artifact', { bootloader })).not.toThrow();
  });

  test('fails at synth when a CustomImage is made from an XFS disk: DigitalOcean needs ext3 or ext4', () => {
    // GIVEN
    const { stack, bootloader } = stackWithDisk(RootFilesystem.XFS);
    // WHEN
    const make = () => new CustomImage(stack, 'Image', { bootloader, regions: [Region.NYC3], bucketName: 'my-images' });
    // THEN
    expect(make).toThrow(
      'rootFilesystem must be RootFilesystem.EXT4 for a DigitalOcean custom image, got RootFilesystem.XFS: ' +
      'DigitalOcean needs ext3 or ext4 for the root filesystem; remove rootFilesystem: RootFilesystem.XFS from the DiskImage',
    );
  });
});
