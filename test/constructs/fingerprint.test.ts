import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
import { makeContext, newStack, PINNED } from './helpers';
import { Bootloader, ContainerRootfs, DiskImage, DiskImageProps, ImageArtifact, RootfsSource } from '../../src';

/** Fingerprints of a whole chain built from a context directory. */
function fingerprints(contextDir: string, diskProps: Partial<DiskImageProps> = {}) {
  const stack: TerraformStack = newStack();
  const rootfs = new ContainerRootfs(stack, 'Rootfs', { source: RootfsSource.fromDockerfile(contextDir) });
  const disk = new DiskImage(stack, 'Disk', { rootfs, ...diskProps });
  const bootloader = new Bootloader(stack, 'Bootloader', { disk });
  const image = new ImageArtifact(stack, 'Image', { bootloader });
  return { rootfs: rootfs.fingerprint, disk: disk.fingerprint, bootloader: bootloader.fingerprint, image: image.fingerprint };
}

const CONTEXT = {
  'Dockerfile': `FROM ${PINNED}\nCOPY app /app\n`,
  '.dockerignore': 'node_modules\n*.log\n',
  'app/main.sh': 'echo hello\n',
};

describe('fingerprints', () => {
  test('are the same for the same inputs', () => {
    const context = makeContext(CONTEXT);
    expect(fingerprints(context)).toEqual(fingerprints(context));
  });

  test('a changed file in the build context changes the rootfs and every later stage', () => {
    // GIVEN
    const context = makeContext(CONTEXT);
    const before = fingerprints(context);
    // WHEN
    writeFileSync(path.join(context, 'app/main.sh'), 'echo changed\n');
    const after = fingerprints(context);
    // THEN
    expect(after.rootfs).not.toBe(before.rootfs);
    expect(after.disk).not.toBe(before.disk);
    expect(after.bootloader).not.toBe(before.bootloader);
    expect(after.image).not.toBe(before.image);
  });

  test('a new file in the build context changes the rootfs', () => {
    const context = makeContext(CONTEXT);
    const before = fingerprints(context);
    writeFileSync(path.join(context, 'app/extra.txt'), 'x');
    expect(fingerprints(context).rootfs).not.toBe(before.rootfs);
  });

  test('a changed disk option changes the disk and later stages but not the rootfs', () => {
    // GIVEN
    const context = makeContext(CONTEXT);
    const before = fingerprints(context);
    // WHEN
    const after = fingerprints(context, { sizeGiB: 3 });
    // THEN
    expect(after.rootfs).toBe(before.rootfs);
    expect(after.disk).not.toBe(before.disk);
    expect(after.bootloader).not.toBe(before.bootloader);
    expect(after.image).not.toBe(before.image);
  });

  test('files matched by .dockerignore do not change it', () => {
    // GIVEN
    const context = makeContext(CONTEXT);
    const before = fingerprints(context);
    // WHEN
    writeFileSync(path.join(context, 'build.log'), 'noise');
    cpSync(path.join(context, 'app'), path.join(context, 'node_modules/dep'), { recursive: true });
    // THEN
    expect(fingerprints(context)).toEqual(before);
  });

  test('do not change when the same context is copied to another absolute path', () => {
    // GIVEN
    const context = makeContext(CONTEXT);
    const elsewhere = path.join(mkdtempSync(path.join(tmpdir(), 'docker-vm-elsewhere-')), 'deeper', 'ctx');
    // WHEN
    cpSync(context, elsewhere, { recursive: true });
    // THEN
    expect(fingerprints(elsewhere)).toEqual(fingerprints(context));
  });

  test('do not change when the current directory changes', () => {
    // GIVEN
    const context = makeContext(CONTEXT);
    const before = fingerprints(context);
    const cwd = process.cwd();
    // WHEN
    try {
      process.chdir(tmpdir());
      // THEN
      expect(fingerprints(context)).toEqual(before);
    } finally {
      process.chdir(cwd);
    }
  });
});
