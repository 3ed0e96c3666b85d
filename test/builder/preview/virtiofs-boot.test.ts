import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { SpecError } from '../../../src/builder/common/errors';
import { ToolRunner } from '../../../src/builder/common/tools';
import { kernelVersionOf, requireVirtiofsInitrd, virtiofsBootFiles } from '../../../src/builder/preview/virtiofs-boot';

const KERNEL = 'boot/vmlinuz-6.1.0-27-amd64';
const INITRD = 'boot/initrd.img-6.1.0-27-amd64';
let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cdvm-virtiofs-boot-'));
  mkdirSync(path.join(root, 'boot'));
  writeFileSync(path.join(root, KERNEL), 'kernel');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A gzip-compressed newc initrd holding these (empty) files (lsinitramfs reads a lone uncompressed cpio as early microcode and fails). */
function writeInitrd(members: string[]): void {
  const staging = path.join(root, 'staging');
  for (const m of members) {
    mkdirSync(path.join(staging, path.dirname(m)), { recursive: true });
    writeFileSync(path.join(staging, m), '');
  }
  const r = spawnSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: staging, input: members.join('\n'), maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`cpio failed: ${r.stderr}`);
  writeFileSync(path.join(root, INITRD), gzipSync(r.stdout));
}

describe('virtiofsBootFiles', () => {
  test('finds the kernel and initrd the rootfs stage recorded, inside the export', () => {
    // GIVEN
    writeInitrd(['init']);
    // WHEN
    const files = virtiofsBootFiles(root, { kernel: KERNEL, initrd: INITRD });
    // THEN
    expect(files).toEqual({ kernel: path.join(root, KERNEL), initrd: path.join(root, INITRD) });
  });

  test('no kernel: says how to get one', () => {
    expect(() => virtiofsBootFiles(root, { kernel: null, initrd: null })).toThrow(SpecError);
    expect(() => virtiofsBootFiles(root, {})).toThrow(/has no kernel to boot with --virtiofs; install one .*or let cdktf-docker-vm add it/);
  });

  test('no initrd: says virtiofs needs one and what to add', () => {
    expect(() => virtiofsBootFiles(root, { kernel: KERNEL })).toThrow(/no initrd; --virtiofs needs an initrd that loads virtiofs: add `RUN echo virtiofs >> \/etc\/initramfs-tools\/modules`/);
  });

  test('a recorded path never leaves the export', () => {
    expect(() => virtiofsBootFiles(root, { kernel: KERNEL, initrd: '../../etc/passwd' })).toThrow(/\/etc\/passwd is missing from the exported rootfs/);
  });
});

test('kernelVersionOf reads both kernel layouts', () => {
  expect(kernelVersionOf(KERNEL)).toBe('6.1.0-27-amd64');
  expect(kernelVersionOf('usr/lib/modules/6.8.0-1/vmlinuz')).toBe('6.8.0-1');
  expect(kernelVersionOf('vmlinuz')).toBeUndefined();
});

describe('requireVirtiofsInitrd', () => {
  const files = () => ({ kernel: path.join(root, KERNEL), initrd: path.join(root, INITRD) });

  test('passes an initrd with virtiofs.ko', async () => {
    // GIVEN
    writeInitrd(['init', 'usr/lib/modules/6.1.0-27-amd64/kernel/fs/fuse/virtiofs.ko']);
    // WHEN / THEN
    await expect(requireVirtiofsInitrd(root, files(), KERNEL, new ToolRunner())).resolves.toBeUndefined();
  });

  test('refuses an initrd without it before booting, naming the fix', async () => {
    // GIVEN
    writeInitrd(['init', 'usr/lib/modules/6.1.0-27-amd64/kernel/fs/ext4/ext4.ko']);
    // WHEN
    const check = requireVirtiofsInitrd(root, files(), KERNEL, new ToolRunner());
    // THEN
    await expect(check).rejects.toThrow(SpecError);
    await expect(requireVirtiofsInitrd(root, files(), KERNEL, new ToolRunner()))
      .rejects.toThrow(/initrd \(\/boot\/initrd\.img-6\.1\.0-27-amd64\) has no virtiofs module.*RUN echo virtiofs >> \/etc\/initramfs-tools\/modules.*let cdktf-docker-vm install it/);
  });

  test('passes when the kernel has virtiofs built in (modules.builtin)', async () => {
    // GIVEN
    writeInitrd(['init']);
    mkdirSync(path.join(root, 'usr/lib/modules/6.1.0-27-amd64'), { recursive: true });
    writeFileSync(path.join(root, 'usr/lib/modules/6.1.0-27-amd64/modules.builtin'), 'kernel/fs/fuse/virtiofs.ko\n');
    // WHEN / THEN
    await expect(requireVirtiofsInitrd(root, files(), KERNEL, new ToolRunner())).resolves.toBeUndefined();
  });
});
