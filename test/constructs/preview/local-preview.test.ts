import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { Testing } from 'cdktf';
import { DockerVm, DockerVmProps, LocalPreview, Region, RootfsSource, SshKey } from '../../../src';
import { SpecFile } from '../../../src/builder/spec';
import { makeContext, newStack } from '../helpers';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGg0dW1teWtleWZvcnRoZXRlc3RzMDEyMzQ1Njc4OQ preview@test';

const keyDirs: string[] = [];
afterAll(() => keyDirs.forEach(dir => rmSync(dir, { recursive: true, force: true })));

function keyFile(content = KEY): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'preview-key-'));
  keyDirs.push(dir);
  const file = path.join(dir, 'id_ed25519.pub');
  writeFileSync(file, `${content}\n`);
  return file;
}

function vm(props: Partial<DockerVmProps> = {}) {
  const stack = newStack();
  new DigitaloceanProvider(stack, 'do', {});
  const v = new DockerVm(stack, 'Web', {
    source: RootfsSource.fromDockerfile(makeContext()),
    regions: [Region.NYC3],
    bucketName: 'my-images',
    sshKeyIds: ['12345'],
    userData: '#!/bin/sh\necho hi > /root/hi\n',
    ...props,
  });
  return { stack, vm: v };
}

describe('LocalPreview', () => {
  test('writes a preview spec with the Droplets\' hostname, user data and keys, and gives the command to run', () => {
    // GIVEN a DockerVm with user data, and a public key file
    const { stack, vm: v } = vm();
    // WHEN a preview is added and the stack synthesized
    const preview = new LocalPreview(stack, 'Preview', { vm: v, sshPublicKeyFiles: [keyFile()] });
    const outdir = Testing.fullSynth(stack);
    // THEN the spec file holds the bootloader stage and the Droplet's metadata
    const spec = JSON.parse(readFileSync(path.join(outdir, 'stacks', 'test', preview.specFilePath), 'utf8')) as SpecFile;
    expect(preview.specFilePath).toBe(`docker-vm-specs/${v.bootloader.fingerprint}-preview.json`);
    expect(spec.spec.stage).toBe('bootloader');
    expect(spec.preview).toEqual({ hostname: 'web', publicKeys: [KEY], userData: '#!/bin/sh\necho hi > /root/hi\n' });
    // AND the command is an attribute, the library declares no output, and nothing new runs on deploy (still four local stages)
    expect(preview.command).toBe(`npx cdktf-docker-vm preview --spec ${preview.specFilePath}`);
    const json = JSON.parse(Testing.synth(stack));
    expect(json.output).toBeUndefined();
    expect(Object.keys(json.resource.terraform_data).filter(id => id.includes('_Build_'))).toHaveLength(4);
  });

  test('uses the public keys of SshKey resources managed in the stack', () => {
    // GIVEN a VM whose Droplets get a managed SshKey
    const stack = newStack();
    new DigitaloceanProvider(stack, 'do', {});
    const key = new SshKey(stack, 'Key', { name: 'me', publicKey: KEY });
    const v = new DockerVm(stack, 'Web', { source: RootfsSource.fromDockerfile(makeContext()), regions: [Region.NYC3], bucketName: 'my-images', sshKeys: [key] });
    // WHEN previewed with no key files
    const preview = new LocalPreview(stack, 'Preview', { vm: v });
    const outdir = Testing.fullSynth(stack);
    // THEN the managed key is the preview's key
    const spec = JSON.parse(readFileSync(path.join(outdir, 'stacks', 'test', preview.specFilePath), 'utf8')) as SpecFile;
    expect(spec.preview!.publicKeys).toEqual([KEY]);
    expect(spec.preview!.userData).toBeUndefined();
  });

  test('fails when no public key can be known offline', () => {
    // GIVEN Droplet keys by id only
    const { stack, vm: v } = vm();
    // THEN the error names the prop and the fix
    expect(() => new LocalPreview(stack, 'Preview', { vm: v })).toThrow(/^sshPublicKeyFiles must list at least one public key file.*~\/\.ssh\/id_ed25519\.pub/);
  });

  test('refuses a missing key file and a private key, without printing the key', () => {
    const { stack, vm: v } = vm();
    expect(() => new LocalPreview(stack, 'P1', { vm: v, sshPublicKeyFiles: ['/nonexistent/k.pub'] })).toThrow(/cannot read \/nonexistent\/k\.pub \(ENOENT\); make a key with ssh-keygen/);
    const secret = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    let message = '';
    try {
      new LocalPreview(stack, 'P2', { vm: v, sshPublicKeyFiles: [keyFile(secret)] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/is not an OpenSSH public key .*give the \.pub file, never the private key/);
    expect(message).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
  });
});
