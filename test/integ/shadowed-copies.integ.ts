/**
 * The kernel and initrd are kept once, on the FAT partition: the ext4 root's
 * copies under /boot (hidden in the guest by the FAT partition mounted there)
 * are removed and their blocks punched out of the disk file. Built from GNU
 * tar's archive of a directory, with random (incompressible) kernel bytes so
 * that a leftover copy could be found in the disk.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, linkSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixtureRootfsTar, runCli } from './support/builder';
import { fsck, readExt4Entry } from './support/debugfs';

const KERNEL = 'boot/vmlinuz-6.1.0-1-amd64';
const INITRD = 'boot/initrd.img-6.1.0-1-amd64';
let work: string;

beforeAll(() => { work = mkdtempSync(path.join(os.tmpdir(), 'shadowed-copies-')); });
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Fixture { readonly tar: string; readonly kernel: Buffer; readonly initrd: Buffer }

function rootfsTar(name: string, options: { hardLinkKernel?: boolean } = {}): Fixture {
  const root = path.join(work, `root-${name}`);
  for (const d of ['boot', 'sbin', 'etc']) mkdirSync(path.join(root, d), { recursive: true });
  const kernel = randomBytes(3 * 1024 * 1024);
  const initrd = randomBytes(2 * 1024 * 1024);
  writeFileSync(path.join(root, KERNEL), kernel);
  writeFileSync(path.join(root, INITRD), initrd);
  if (options.hardLinkKernel) linkSync(path.join(root, KERNEL), path.join(root, 'boot/vmlinuz.old'));
  writeFileSync(path.join(root, 'sbin/init'), '#!/bin/sh\n');
  chmodSync(path.join(root, 'sbin/init'), 0o755);
  writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID=12\n');
  const tar = path.join(work, `${name}.tar`);
  const r = spawnSync('tar', ['-C', root, '-cf', tar, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return { tar, kernel, initrd };
}

function buildRaw(fixture: Pick<Fixture, 'tar'>, name: string): { disk: string; stderr: string } {
  const disk = path.join(work, `${name}.raw`);
  const r = runCli(['build', '--tar', fixture.tar, '--inject', 'never', '--format', 'raw', '--output', disk, '--cache-dir', path.join(work, `cache-${name}`)],
    { timeoutMs: 10 * 60_000 });
  if (r.status !== 0) throw new Error(`build failed (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
  return { disk, stderr: r.stderr };
}

/** Byte offsets of partition 1 (FAT) and 2 (root), from sfdisk's own reading of the table. */
function partitionOffsets(disk: string): { boot: number; root: number; rootBytes: number } {
  const r = spawnSync('sfdisk', ['--json', disk], { encoding: 'utf8' });
  const parts = JSON.parse(r.stdout).partitiontable.partitions as Array<{ start: number; size: number }>;
  return { boot: parts[0].start * 512, root: parts[1].start * 512, rootBytes: parts[1].size * 512 };
}

/** Whether `needle` occurs in the byte range of `file`, read in 8 MiB windows that overlap by the needle's length. */
function rangeContains(file: string, start: number, length: number, needle: Buffer): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(8 * 1024 * 1024 + needle.length);
    for (let off = start; off < start + length; off += 8 * 1024 * 1024) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, start + length - off), off);
      if (buf.subarray(0, n).includes(needle)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function fatFile(disk: string, bootOffset: number, name: string): Buffer {
  const r = spawnSync('mcopy', ['-n', '-i', `${disk}@@${bootOffset}`, `::/${name}`, '-'], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`mcopy ::/${name} failed: ${r.stderr}`);
  return r.stdout;
}

test('the root keeps no copy of the kernel and initrd the FAT partition holds, and stays a clean ext4', () => {
  // GIVEN
  const fixture = rootfsTar('plain');
  // WHEN
  const { disk, stderr } = buildRaw(fixture, 'plain');
  // THEN the FAT partition has them, byte for byte
  const at = partitionOffsets(disk);
  expect(fatFile(disk, at.boot, 'vmlinuz').equals(fixture.kernel)).toBe(true);
  expect(fatFile(disk, at.boot, 'initrd.img').equals(fixture.initrd)).toBe(true);
  // AND the root has neither the files nor their bytes in freed blocks
  expect(readExt4Entry(disk, at.root, `/${KERNEL}`)).toBeUndefined();
  expect(readExt4Entry(disk, at.root, `/${INITRD}`)).toBeUndefined();
  expect(readExt4Entry(disk, at.root, '/boot')?.type).toBe('dir');
  for (const content of [fixture.kernel, fixture.initrd]) {
    expect(rangeContains(disk, at.root, at.rootBytes, content.subarray(1024 * 1024, 1024 * 1024 + 4096))).toBe(false);
  }
  expect(fsck(disk, at.root)).toEqual({ ok: true, output: expect.any(String) });
  expect(stderr).toContain(`removed the root's copy of /${KERNEL} and /${INITRD}`);
}, 15 * 60_000);

test('a kernel with a second hard link stays in the root: the other name still reads it', () => {
  // GIVEN
  const fixture = rootfsTar('linked', { hardLinkKernel: true });
  // WHEN
  const { disk } = buildRaw(fixture, 'linked');
  // THEN
  const at = partitionOffsets(disk);
  expect(readExt4Entry(disk, at.root, `/${KERNEL}`)?.linksCount).toBe(2);
  expect(readExt4Entry(disk, at.root, '/boot/vmlinuz.old')?.linksCount).toBe(2);
  expect(readExt4Entry(disk, at.root, `/${INITRD}`)).toBeUndefined();
  expect(fsck(disk, at.root).ok).toBe(true);
}, 15 * 60_000);

test('a real Debian image from docker export keeps its kernel and initrd on the FAT partition only', async () => {
  // GIVEN the Debian fixture's rootfs tar, as docker export wrote it (linux-image-amd64 installed)
  const tar = await fixtureRootfsTar(work);
  // WHEN
  const { disk, stderr } = buildRaw({ tar }, 'debian');
  // THEN the build names what it removed
  const removed = /removed the root's copy of \/(boot\/vmlinuz-\S+) and \/(boot\/initrd\.img-\S+):/.exec(stderr);
  expect(removed).not.toBeNull();
  const [kernel, initrd] = [removed![1], removed![2]];
  const at = partitionOffsets(disk);
  // AND the FAT partition holds the tar's own bytes of both
  const fromTar = (p: string) => spawnSync('tar', ['-xOf', tar, p], { maxBuffer: 256 * 1024 * 1024 }).stdout;
  expect(fatFile(disk, at.boot, 'vmlinuz').equals(fromTar(kernel))).toBe(true);
  expect(fatFile(disk, at.boot, 'initrd.img').equals(fromTar(initrd))).toBe(true);
  // AND the root has neither, and is a clean ext4
  expect(readExt4Entry(disk, at.root, `/${kernel}`)).toBeUndefined();
  expect(readExt4Entry(disk, at.root, `/${initrd}`)).toBeUndefined();
  expect(fsck(disk, at.root).ok).toBe(true);
}, 20 * 60_000);
