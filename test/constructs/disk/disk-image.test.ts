import { TerraformVariable, Testing } from 'cdktf';
import { ContainerRootfs, DiskImage, DiskImageProps, PartitionTable, RootfsSource } from '../../../src';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';
import { HEX64, newStack, PINNED, resource } from '../helpers';

function disk(props: Partial<DiskImageProps> = {}) {
  const stack = newStack();
  const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
  return { stack, rootfs, disk: new DiskImage(stack, 'Disk', { rootfs, ...props }) };
}

describe('DiskImage', () => {
  test('disk stage is replaced when its fingerprint changes', () => {
    // GIVEN
    const stack = newStack();
    const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
    // WHEN
    new DiskImage(stack, 'Disk', { rootfs });
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(TerraformData, {
      triggers_replace: expect.objectContaining({ fingerprint: expect.stringMatching(HEX64) }),
    });
  });

  test('runs after the rootfs stage', () => {
    // GIVEN
    const { stack } = disk();
    // THEN
    expect(resource(stack, 'terraform_data', 'Disk_Build').depends_on).toEqual([expect.stringMatching(/^terraform_data\.Rootfs_Build_/)]);
  });

  test('defaults to MBR, a 128 MiB boot partition and a size from the rootfs', () => {
    // GIVEN
    const { disk: d } = disk();
    // THEN
    expect(d._spec).toEqual({ stage: 'disk', rootfs: expect.anything(), partitionTable: 'mbr', bootPartitionMiB: 128 });
    expect(d.sizeGiB).toBeUndefined();
  });

  test('passes the size in MiB, the partition table and the boot partition size to the builder', () => {
    // GIVEN
    const { disk: d } = disk({ sizeGiB: 4, partitionTable: PartitionTable.GPT, bootPartitionSizeMiB: 256 });
    // THEN
    expect(d._spec).toEqual(expect.objectContaining({ sizeMiB: 4096, partitionTable: 'gpt', bootPartitionMiB: 256 }));
  });

  test('each option changes the fingerprint but not the rootfs fingerprint', () => {
    // GIVEN
    const base = disk();
    const variants = [disk({ sizeGiB: 4 }), disk({ partitionTable: PartitionTable.GPT }), disk({ bootPartitionSizeMiB: 64 })];
    // THEN
    expect(new Set([base, ...variants].map(v => v.disk.fingerprint)).size).toBe(4);
    expect(new Set([base, ...variants].map(v => v.rootfs.fingerprint)).size).toBe(1);
  });

  test('points artifactPath at a raw image in the stack directory', () => {
    const { disk: d } = disk();
    expect(d.artifactPath).toBe(`docker-vm-artifacts/${d.fingerprint}-disk.img`);
  });

  test('accepts the builder\'s smallest boot partition, 32 MiB', () => {
    expect(() => disk({ bootPartitionSizeMiB: 32 })).not.toThrow();
  });

  test('accepts a 2048 GiB MBR disk and a larger GPT disk', () => {
    expect(() => disk({ sizeGiB: 2048 })).not.toThrow();
    expect(() => disk({ sizeGiB: 4096, partitionTable: PartitionTable.GPT })).not.toThrow();
  });

  test.each([
    [{ sizeGiB: 0 }, /^sizeGiB must be a whole number of GiB, 1 or more, got 0; leave it unset/],
    [{ sizeGiB: 1.5 }, /^sizeGiB must be a whole number of GiB, 1 or more, got 1.5/],
    [{ sizeGiB: 3000 }, /^sizeGiB must be 2048 or less with an MBR partition table, got 3000; use partitionTable: PartitionTable.GPT/],
    [{ bootPartitionSizeMiB: 8 }, /^bootPartitionSizeMiB must be a whole number of MiB, 32 or more, got 8/],
    [{ bootPartitionSizeMiB: 16 }, /^bootPartitionSizeMiB must be a whole number of MiB, 32 or more, got 16; leave it unset for the default/],
    [{ bootPartitionSizeMiB: 31 }, /^bootPartitionSizeMiB must be a whole number of MiB, 32 or more, got 31/],
    [{ bootPartitionSizeMiB: NaN }, /^bootPartitionSizeMiB must be a whole number of MiB, 32 or more, got NaN/],
    [{ bootPartitionSizeMiB: -1 }, /^bootPartitionSizeMiB must be a whole number of MiB, 32 or more, got -1/],
    [{ sizeGiB: NaN }, /^sizeGiB must be a whole number of GiB, 1 or more, got NaN/],
    [{ sizeGiB: -4 }, /^sizeGiB must be a whole number of GiB, 1 or more, got -4/],
    [{ sizeGiB: Infinity, partitionTable: PartitionTable.GPT }, /^sizeGiB must be a whole number of GiB, 1 or more, got Infinity/],
    [{ sizeGiB: 1, bootPartitionSizeMiB: 600 }, /^bootPartitionSizeMiB must be less than half the disk \(sizeGiB 1\), got 600/],
    [{ partitionTable: 'apm' as PartitionTable }, /^partitionTable must be one of mbr, gpt, got apm/],
  ])('fails when the props are %j', (props, message) => {
    expect(() => disk(props)).toThrow(message);
  });

  test('fails when the size is a token', () => {
    // GIVEN
    const stack = newStack();
    const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
    const size = new TerraformVariable(stack, 'size', { type: 'number' });
    // THEN
    expect(() => new DiskImage(stack, 'Disk', { rootfs, sizeGiB: size.numberValue })).toThrow(/^sizeGiB and bootPartitionSizeMiB must be known at synth time, got a token/);
  });
});
