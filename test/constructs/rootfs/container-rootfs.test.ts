import * as path from 'node:path';
import { AnnotationMetadataEntryType, Testing } from 'cdktf';
import { ContainerRootfs, Inject, RootfsSource, VmProfile } from '../../../src';
import { TerraformData } from '../../../src/constructs/terraform/terraform-data';
import { writeTar } from '../../builder/support/tar';
import { HEX64, makeContext, newStack, PINNED } from '../helpers';

function warnings(rootfs: ContainerRootfs): string[] {
  return rootfs.node.metadata.filter(m => m.type === AnnotationMetadataEntryType.WARN).map(m => String(m.data));
}

describe('ContainerRootfs', () => {
  test('declares a terraform_data resource triggered by its fingerprint', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromDockerfile(makeContext()) });
    // THEN
    expect(rootfs.fingerprint).toMatch(HEX64);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(TerraformData, {
      triggers_replace: expect.objectContaining({ fingerprint: rootfs.fingerprint }),
    });
  });

  test('builds from an image reference', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
    // THEN
    expect(rootfs.fingerprint).toMatch(HEX64);
    expect(warnings(rootfs)).toEqual([]);
  });

  test('builds from a tarball and fingerprints its content', () => {
    // GIVEN
    const dir = makeContext({});
    const tar = path.join(dir, 'rootfs.tar');
    writeTar(tar, [{ path: 'etc/one', content: 'one' }]);
    const before = new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromTarball(tar) }).fingerprint;
    // WHEN
    writeTar(tar, [{ path: 'etc/one', content: 'two' }]);
    const after = new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromTarball(tar) }).fingerprint;
    // THEN
    expect(after).not.toBe(before);
  });

  test('points artifactPath at a tar in the stack directory', () => {
    // GIVEN
    const rootfs = new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
    // THEN
    expect(rootfs.artifactPath).toBe(`docker-vm-artifacts/${rootfs.fingerprint}-rootfs.tar`);
  });

  test('warns about a Dockerfile FROM without a digest', () => {
    // GIVEN
    const context = makeContext({ Dockerfile: 'FROM debian:bookworm\nRUN true\n' });
    // WHEN
    const rootfs = new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromDockerfile(context) });
    // THEN
    expect(warnings(rootfs)).toEqual([expect.stringMatching(/^Dockerfile line 1: FROM debian:bookworm is not pinned to a digest.*FROM debian:bookworm@sha256:<digest>/)]);
  });

  test('does not warn about FROM scratch, digests and earlier stages', () => {
    // GIVEN
    const context = makeContext({ Dockerfile: `FROM ${PINNED} AS base\nFROM base\nFROM scratch\n` });
    // WHEN
    const rootfs = new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromDockerfile(context) });
    // THEN
    expect(warnings(rootfs)).toEqual([]);
  });

  test('reads the Dockerfile named in the options', () => {
    // GIVEN
    const context = makeContext({ 'Dockerfile': `FROM ${PINNED}\n`, 'vm/Dockerfile.vm': 'FROM alpine:3\n' });
    // WHEN
    const rootfs = new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromDockerfile(context, { dockerfile: 'vm/Dockerfile.vm' }) });
    // THEN
    expect(warnings(rootfs)).toEqual([expect.stringMatching(/^vm\/Dockerfile.vm line 1: FROM alpine:3/)]);
  });

  test('warns about an image reference without a digest', () => {
    // WHEN
    const rootfs = new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromImage('debian:bookworm') });
    // THEN
    expect(warnings(rootfs)).toEqual([expect.stringMatching(/^image debian:bookworm is not pinned to a digest/)]);
  });

  test('build args and target change the fingerprint', () => {
    // GIVEN
    const context = makeContext();
    const fp = (opts: object) => new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromDockerfile(context, opts) }).fingerprint;
    // THEN
    expect(new Set([fp({}), fp({ buildArgs: { A: '1' } }), fp({ buildArgs: { A: '2' } }), fp({ target: 'base' })]).size).toBe(4);
  });

  test('fails when the context directory does not exist', () => {
    expect(() => RootfsSource.fromDockerfile('/nonexistent/context')).toThrow(/^contextDir must be an existing directory, got \/nonexistent\/context/);
  });

  test('fails when the Dockerfile is missing', () => {
    expect(() => RootfsSource.fromDockerfile(makeContext({ other: 'x' }))).toThrow(/^dockerfile Dockerfile does not exist in contextDir/);
  });

  test('fails when the Dockerfile is outside the context', () => {
    expect(() => RootfsSource.fromDockerfile(makeContext(), { dockerfile: '../Dockerfile' })).toThrow(/^dockerfile must be a path inside the build context/);
  });

  test('fails when a build arg name is invalid', () => {
    expect(() => RootfsSource.fromDockerfile(makeContext(), { buildArgs: { '1X': 'y' } })).toThrow(/^buildArgs names must be letters, digits and '_'/);
  });

  test('fails when the target is not a stage name', () => {
    expect(() => RootfsSource.fromDockerfile(makeContext(), { target: 'a b' })).toThrow(/^target must be a Dockerfile stage name/);
  });

  test('fails when the image reference is empty', () => {
    expect(() => RootfsSource.fromImage(' ')).toThrow(/^reference must be an image reference without spaces/);
  });

  test('fails when the tarball does not exist', () => {
    expect(() => RootfsSource.fromTarball('/nonexistent/rootfs.tar')).toThrow(/^tarPath must be an existing file/);
    const dir = makeContext({ 'rootfs.tar.gz': '\x1f\x8b not a tar', 'empty.tar': '' });
    expect(() => RootfsSource.fromTarball(path.join(dir, 'rootfs.tar.gz'))).toThrow(/^tarPath must be a tar file, got \S+rootfs\.tar\.gz, which is not one \(no tar header\); make it with docker export/);
    expect(() => RootfsSource.fromTarball(path.join(dir, 'empty.tar'))).toThrow(/^tarPath must be a tar file/);
    expect(() => RootfsSource.fromTarball(dir)).toThrow(/^tarPath must be an existing file/);
  });

  test('defaults: inject what is missing, generic profile, the image command runs at boot', () => {
    // GIVEN a rootfs with no VM options
    const rootfs = new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromImage(PINNED) });
    // THEN the builder spec asks for auto injection for a local VM, with the app service
    expect(rootfs._spec.vm).toEqual({ inject: 'auto', profile: 'generic', appService: true });
  });

  test('each VM option changes the fingerprint', () => {
    // GIVEN the same source with different VM options
    const fp = (props: object) => new ContainerRootfs(newStack(), 'Rootfs', { source: RootfsSource.fromImage(PINNED), ...props }).fingerprint;
    const base = fp({});
    // THEN none of them shares the default's fingerprint, so `cdktf diff` shows the rebuild
    const variants = [
      fp({ inject: Inject.NEVER }), fp({ inject: Inject.ALWAYS }), fp({ profile: VmProfile.DIGITALOCEAN }), fp({ runImageCommand: false }),
    ];
    expect(new Set([base, ...variants]).size).toBe(5);
    // AND the spec carries them
    const rootfs = new ContainerRootfs(newStack(), 'Rootfs', {
      source: RootfsSource.fromImage(PINNED), inject: Inject.NEVER, profile: VmProfile.DIGITALOCEAN, runImageCommand: false,
    });
    expect(rootfs._spec.vm).toEqual({ inject: 'never', profile: 'digitalocean', appService: false });
  });
});
