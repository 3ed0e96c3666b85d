import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { Bootloader, ContainerRootfs, DiskImage, Firmware, RootfsSource } from '../../../src';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';
import { HEX64, newStack, PINNED, resource } from '../helpers';

function bootloader(extraKernelArgs?: string[], firmware?: Firmware) {
  const stack = newStack();
  const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
  const disk = new DiskImage(stack, 'Disk', { rootfs });
  return { stack, disk, bootloader: new Bootloader(stack, 'Bootloader', { disk, extraKernelArgs, firmware }) };
}

/** The bootloader spec as the builder reads it from the synthesized spec file. */
function synthesizedSpec(b: ReturnType<typeof bootloader>): Record<string, unknown> {
  const outdir = Testing.fullSynth(b.stack);
  const file = path.join(outdir, 'stacks', 'test', 'docker-vm-specs', `${b.bootloader.fingerprint}-bootloader.json`);
  return JSON.parse(readFileSync(file, 'utf8')).spec;
}

describe('Bootloader', () => {
  test('declares a terraform_data resource that runs after the disk stage', () => {
    // GIVEN
    const { stack, bootloader: b } = bootloader();
    // THEN
    expect(b.fingerprint).toMatch(HEX64);
    const synthed = Testing.synth(stack);
    expect(synthed).toHaveResourceWithProperties(TerraformData, {
      triggers_replace: expect.objectContaining({ fingerprint: b.fingerprint }),
    });
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

  test('boots with BIOS by default and writes no firmware into the spec file (BIOS fingerprints are unchanged)', () => {
    // GIVEN
    const plain = bootloader();
    const bios = bootloader(undefined, Firmware.BIOS);
    // THEN
    expect(plain.bootloader.firmware).toBe(Firmware.BIOS);
    expect(synthesizedSpec(plain)).not.toHaveProperty('firmware');
    expect(synthesizedSpec(bios)).toEqual(synthesizedSpec(plain));
    expect(bios.bootloader.fingerprint).toBe(plain.bootloader.fingerprint);
  });

  test('passes firmware UEFI to the builder and into the fingerprint, not into the disk stage', () => {
    // GIVEN
    const plain = bootloader();
    const uefi = bootloader(undefined, Firmware.UEFI);
    // THEN
    expect(uefi.bootloader.firmware).toBe(Firmware.UEFI);
    expect(synthesizedSpec(uefi)).toMatchObject({ stage: 'bootloader', firmware: 'uefi' });
    expect(uefi.bootloader.fingerprint).not.toBe(plain.bootloader.fingerprint);
    expect(uefi.disk.fingerprint).toBe(plain.disk.fingerprint);
    const synthed = Testing.synth(uefi.stack);
    expect(synthed).toHaveResourceWithProperties(TerraformData, {
      triggers_replace: expect.objectContaining({ fingerprint: uefi.bootloader.fingerprint }),
    });
  });

  test('fails when firmware is not a Firmware', () => {
    expect(() => bootloader(undefined, 'efi' as Firmware)).toThrow(/^firmware must be Firmware.BIOS or Firmware.UEFI, got "efi"; leave it unset for BIOS/);
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
