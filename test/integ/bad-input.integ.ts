/**
 * Bad input to the compiled CLI, fed with what real tools write (a `docker
 * export` tar, gzip, qemu-img, ssh-keygen): each case exits 2 with one line
 * naming the input and the fix, no stack trace, and nothing left at --output
 * or in the cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheState, runCli } from './support/builder';
import { SPEC_FILE_VERSION } from '../../src/builder/spec';

let work: string;
let cacheDir: string;
const at = (name: string) => path.join(work, name);

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'bad-input-integ-'));
  cacheDir = at('cache');
  mkdirSync(at('a-dir'));
  // A real rootfs tar, from a container this test creates and removes by id.
  const id = sh('docker', ['create', '--label', 'cdktf-docker-vm-test=bad-input', 'debian:bookworm', '/bin/true']);
  try {
    sh('docker', ['export', '-o', at('rootfs.tar'), id]);
  } finally {
    sh('docker', ['rm', id]);
  }
  sh('sh', ['-c', 'gzip -1 -c "$1" > "$2"', 'sh', at('rootfs.tar'), at('rootfs.tar.gz')]);
  writeFileSync(at('empty.img'), '');
  sh('sh', ['-c', 'printf hi | gzip > "$1"', 'sh', at('tiny.img.gz')]);
  sh('qemu-img', ['create', '-q', '-f', 'qcow2', at('blank.qcow2'), '1G']);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', at('id_ed25519')]);
  writeFileSync(at('empty.pub'), '');
  writeFileSync(at('empty'), '');
  writeFileSync(at('big-user-data'), `#!/bin/sh\n${'#'.repeat(64 * 1024)}\n`);
  writeFileSync(at('wrong-shape.json'), JSON.stringify({ specFileVersion: SPEC_FILE_VERSION, spec: { stage: 'disk', sizeGiB: '10; rm -rf /' } }));
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES: [string, () => string[], RegExp][] = [
  ['run --spec of valid JSON of the wrong shape', () => ['run', '--spec', at('wrong-shape.json')],
    /spec file \S+wrong-shape\.json is not valid: spec\.sizeGiB is not a known field \(got "10; rm -rf \/"\);.*synthesize the stack again/],
  ['boot of a missing image', () => ['boot', at('nonexistent.qcow2')], /image \S+nonexistent\.qcow2 does not exist; build one with: cdktf-docker-vm build/],
  ['boot of a directory', () => ['boot', at('a-dir')], /image \S+a-dir is a directory, not a file/],
  ['boot --timeout abc', () => ['boot', at('blank.qcow2'), '--timeout', 'abc'], /--timeout abc must be a positive number of seconds/],
  ['boot --memory 0', () => ['boot', at('blank.qcow2'), '--memory', '0'], /--memory 0 must be a whole number from 64/],
  ['check of an empty file', () => ['check', at('empty.img')], /\S+empty\.img is not a disk image \(it is empty\); give the path of a disk image/],
  ['check of a gzip of a few bytes', () => ['check', at('tiny.img.gz')], /\S+tiny\.img\.gz is not a disk image \(it holds only 2 bytes\)/],
  ['check of a blank qcow2 (no partition table)', () => ['check', at('blank.qcow2')], /\S+blank\.qcow2 is not a disk image \(its first sector has no MBR or GPT partition table signature\)/],
  ['check of a directory', () => ['check', at('a-dir')], /cannot read image \S+a-dir \(it is a directory\)/],
  ['build --tar of a gzipped docker export', () => ['build', '--tar', at('rootfs.tar.gz'), '--output', at('out/vm.img'), '--cache-dir', cacheDir],
    /--tar \S+rootfs\.tar\.gz is not a tar file \(it is gzip-compressed: gunzip it first\); give a root filesystem tar/],
  ['build --tar of a directory', () => ['build', '--tar', at('a-dir'), '--output', at('out/vm.img'), '--cache-dir', cacheDir], /--tar \S+a-dir is a directory, not a file/],
  ['build --output vm.iso', () => ['build', '--tar', at('rootfs.tar'), '--output', at('out/vm.iso'), '--cache-dir', cacheDir],
    /--output \S+vm\.iso: the extension \.iso is not one this tool writes; use \.img, .*or pass --format/],
  ['build --output of a directory', () => ['build', '--tar', at('rootfs.tar'), '--output', at('a-dir'), '--format', 'raw', '--cache-dir', cacheDir], /--output \S+a-dir is a directory/],
  ['build --size 0G', () => ['build', '--tar', at('rootfs.tar'), '--output', at('out/vm.img'), '--size', '0G', '--cache-dir', cacheDir], /--size 0G is below 64 MiB/],
  ['build --boot-size 1e9', () => ['build', '--tar', at('rootfs.tar'), '--output', at('out/vm.img'), '--boot-size', '1e9', '--cache-dir', cacheDir],
    /--boot-size 1e9 must be a whole number from 32 to 65536/],
  ['build --build-arg =x', () => ['build', '--dockerfile', at('Dockerfile'), '--output', at('out/vm.img'), '--build-arg', '=x', '--cache-dir', cacheDir], /--build-arg =x is not KEY=VALUE/],
  ['build --context of a file', () => ['build', '--dockerfile', at('big-user-data'), '--context', at('rootfs.tar'), '--output', at('out/vm.img'), '--cache-dir', cacheDir],
    /--context \S+rootfs\.tar is a file, not a directory/],
  ['preview --ssh-key of a private key', () => ['preview', at('blank.qcow2'), '--ssh-key', at('id_ed25519'), '--exit-when-ready'], /--ssh-key \S+id_ed25519 must be the public key file ending in \.pub/],
  ['preview --ssh-key of an empty file', () => ['preview', at('blank.qcow2'), '--ssh-key', at('empty.pub'), '--exit-when-ready'], /--ssh-key \S+empty\.pub /],
  ['preview --user-data over 64 KiB', () => ['preview', at('blank.qcow2'), '--ssh-key', at('id_ed25519.pub'), '--user-data', at('big-user-data'), '--exit-when-ready'],
    /--user-data \S+big-user-data is \d+ bytes; DigitalOcean accepts at most 65536/],
];

describe('bad input to the CLI', () => {
  test.each(CASES)('fails on %s: exit 2, one line naming it, nothing left behind', (_what, argv, message) => {
    // GIVEN
    const before = readdirSync(work).sort();
    // WHEN
    const run = runCli(argv(), { timeoutMs: 120_000 });
    // THEN
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 2, stderr: expect.stringMatching(message) });
    const lines = run.stderr.split('\n').filter(l => l && !/^\[\d+\.\d+ s\] /.test(l));
    expect(lines).toEqual([expect.stringMatching(/^cdktf-docker-vm: error: /)]);
    expect(run.stderr).not.toMatch(/^\s+at |unexpected error/m);
    expect(run.stdout).toBe('');
    expect(readdirSync(work).sort()).toEqual(before);
    expect(existsSync(at('out'))).toBe(false);
    if (existsSync(cacheDir)) expect(cacheState(cacheDir)).toEqual({ entries: { rootfs: [], disk: [], bootloader: [], convert: [] }, tmp: [] });
  });
});
