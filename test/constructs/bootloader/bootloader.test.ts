import { DataResource, Testing } from 'cdktf';
import { Bootloader, ContainerRootfs, DiskImage, RootfsSource } from '../../../src';
import { HEX64, newStack, PINNED, resource } from '../helpers';

function bootloader(extraKernelArgs?: string[]) {
  const stack = newStack();
  const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
  const disk = new DiskImage(stack, 'Disk', { rootfs });
  return { stack, disk, bootloader: new Bootloader(stack, 'Bootloader', { disk, extraKernelArgs }) };
}

describe('Bootloader', () => {
  test('declares a terraform_data resource that runs after the disk stage', () => {
    // GIVEN
    const { stack, bootloader: b } = bootloader();
    // THEN
    expect(b.fingerprint).toMatch(HEX64);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DataResource, { triggers_replace: { fingerprint: b.fingerprint } });
    expect(resource(stack, 'terraform_data', 'Bootloader_Build').depends_on).toEqual([expect.stringMatching(/^terraform_data\.Disk_Build_/)]);
  });

  test('passes extra kernel arguments to the builder and into the fingerprint', () => {
    // GIVEN
    const plain = bootloader();
    const quiet = bootloader(['quiet', 'net.ifnames=0']);
    // THEN
    expect(quiet.bootloader._spec.extraKernelArgs).toEqual(['quiet', 'net.ifnames=0']);
    expect(plain.bootloader._spec.extraKernelArgs).toEqual([]);
    expect(quiet.bootloader.fingerprint).not.toBe(plain.bootloader.fingerprint);
    expect(quiet.disk.fingerprint).toBe(plain.disk.fingerprint);
  });

  test('points artifactPath at a raw image in the stack directory', () => {
    const { bootloader: b } = bootloader();
    expect(b.artifactPath).toBe(`docker-vm-artifacts/${b.fingerprint}-bootloader.img`);
  });

  test.each([
    [['quiet splash'], /^extraKernelArgs must each be one non-empty word without spaces or control characters, got \["quiet splash"\]/],
    [[''], /^extraKernelArgs must each be one non-empty word/],
    [['a\nDEFAULT evil'], /^extraKernelArgs must each be one non-empty word/],
    [['root=/dev/sda1'], /^extraKernelArgs must not set root, rw or ro, got \["root=\/dev\/sda1"\]; the bootloader always boots root=UUID=<root filesystem> rw/],
    [['ro'], /^extraKernelArgs must not set root, rw or ro/],
  ])('fails when extraKernelArgs is %j', (args, message) => {
    expect(() => bootloader(args)).toThrow(message);
  });
});
