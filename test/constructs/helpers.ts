// Types of the cdktf Jest matchers (Testing.setupJest() in test/setup.ts installs them).
import 'cdktf/lib/testing/adapters/jest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Bootloader, ContainerRootfs, CustomImage, DiskImage, Region, RootfsSource } from '../../src';

export const PINNED = 'debian:bookworm@sha256:' + 'a'.repeat(64);
export const HEX64 = /^[0-9a-f]{64}$/;

/** A build context in a new temporary directory. */
export function makeContext(files: { [relPath: string]: string } = { Dockerfile: `FROM ${PINNED}\nRUN true\n` }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'docker-vm-context-'));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: { [relPath: string]: string }): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

export function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

export interface Chain {
  readonly stack: TerraformStack;
  readonly rootfs: ContainerRootfs;
  readonly disk: DiskImage;
  readonly bootloader: Bootloader;
}

/** rootfs -> disk -> bootloader from a Dockerfile context. */
export function chain(contextDir: string = makeContext(), stack: TerraformStack = newStack()): Chain {
  const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromDockerfile(contextDir) });
  const disk = new DiskImage(stack, 'Disk', { rootfs });
  const bootloader = new Bootloader(stack, 'Bootloader', { disk });
  return { stack, rootfs, disk, bootloader };
}

/** A chain plus a DigitalOcean provider and a CustomImage in nyc3. */
export function imageChain(contextDir?: string): Chain & { readonly image: CustomImage } {
  const c = chain(contextDir);
  new DigitaloceanProvider(c.stack, 'do', {});
  const image = new CustomImage(c.stack, 'Image', { bootloader: c.bootloader, regions: [Region.NYC3], bucketName: 'my-images' });
  return { ...c, image };
}

/** The synthesized resources of one type, keyed by logical id. */
export function resources(stack: TerraformStack, type: string): { [id: string]: any } {
  return JSON.parse(Testing.synth(stack)).resource?.[type] ?? {};
}

/** The single synthesized resource of a type whose logical id starts with a prefix. */
export function resource(stack: TerraformStack, type: string, idPrefix: string): any {
  const all = resources(stack, type);
  const ids = Object.keys(all).filter(id => id.startsWith(idPrefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${idPrefix}, got ${JSON.stringify(Object.keys(all))}`);
  return all[ids[0]];
}
