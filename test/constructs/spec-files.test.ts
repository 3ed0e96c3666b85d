import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { Testing } from 'cdktf';
import { makeContext, newStack, PINNED } from './helpers';
import {
  Bootloader, Compression, ContainerRootfs, DiskFormat, DiskImage, DockerVm, Firmware, ImageArtifact, Inject, LocalPreview, PartitionTable,
  Region, RootfsSource, VmProfile,
} from '../../src';
import { specFileSchema } from '../../src/builder/spec-schema';
import { writeTar } from '../builder/support/tar';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGg0dW1teWtleWZvcnRoZXRlc3RzMDEyMzQ1Njc4OQ preview@test';

/** Every spec file a synthesized stack holds, parsed. */
function specFiles(stack: ReturnType<typeof newStack>): { name: string; content: unknown }[] {
  const dir = path.join(Testing.fullSynth(stack), 'stacks', 'test', 'docker-vm-specs');
  return readdirSync(dir).map(name => ({ name, content: JSON.parse(readFileSync(path.join(dir, name), 'utf8')) }));
}

describe('spec files the constructs write', () => {
  test('pass the builder\'s strict schema, for every stage, source and option', () => {
    // GIVEN a DockerVm with a preview, and a second chain using the other sources and every option
    const stack = newStack();
    new DigitaloceanProvider(stack, 'do', {});
    const web = new DockerVm(stack, 'Web', {
      source: RootfsSource.fromDockerfile(makeContext(), { buildArgs: { VERSION: '1' }, target: 'vm' }),
      regions: [Region.NYC3],
      bucketName: 'my-images',
      sshKeyIds: ['12345'],
      userData: '#!/bin/sh\necho hi\n',
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'spec-files-'));
    const keyFile = path.join(dir, 'id_ed25519.pub');
    writeFileSync(keyFile, `${KEY}\n`);
    const tar = path.join(dir, 'rootfs.tar');
    writeTar(tar, [{ path: 'etc/hostname', content: 'vm\n' }]);
    new LocalPreview(stack, 'Preview', { vm: web, sshPublicKeyFiles: [keyFile] });
    const rootfs = new ContainerRootfs(stack, 'TarRootfs', { source: RootfsSource.fromTarball(tar), inject: Inject.NEVER, profile: VmProfile.GENERIC, runImageCommand: false });
    const disk = new DiskImage(stack, 'Disk', { rootfs, sizeGiB: 4, partitionTable: PartitionTable.GPT, bootPartitionSizeMiB: 32 });
    const bootloader = new Bootloader(stack, 'Bootloader', { disk, firmware: Firmware.UEFI, extraKernelArgs: ['quiet'] });
    new ImageArtifact(stack, 'Vhd', { bootloader, format: DiskFormat.VHD, compression: Compression.BZIP2 });
    new ContainerRootfs(stack, 'ImageRootfs', { source: RootfsSource.fromImage(PINNED) });
    // WHEN
    const files = specFiles(stack);
    // THEN
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const { name, content } of files) {
      const checked = specFileSchema.safeParse(content);
      expect({ name, issues: checked.error?.issues ?? [] }).toEqual({ name, issues: [] });
    }
  });
});
