/**
 * The builder end to end with real docker, e2fsprogs, mtools, syslinux and
 * qemu-img: a rootless build, the stage cache, and the errors a user meets.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeEdgeCaseTar } from './fixtures/edge-tar';
import { CliRun, DEBIAN_FIXTURE, TEST_USER, buildQuietly, cacheState, ensureTestUser, runCli } from './support/builder';
import { findTool } from '../../src/builder/common/tools';

interface StageLine { stage: string; cacheHit: boolean }

function jsonOf(run: CliRun): { artifactPath: string; fingerprint: string; cacheKey: string; stages: StageLine[] } {
  if (run.status !== 0) throw new Error(`build failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

function imageCheck(file: string): { format: string; virtualSize: number } {
  const r = spawnSync('qemu-img', ['info', '--output=json', file], { encoding: 'utf8' });
  const info = JSON.parse(r.stdout) as { 'format': string; 'virtual-size': number };
  return { format: info.format, virtualSize: info['virtual-size'] };
}

let work: string;
let debianTar: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-build-'));
  chmodSync(work, 0o755);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('GIVEN the Debian fixture Dockerfile', () => {
  const cacheDir = () => path.join(work, 'cache-user');

  test('builds a qcow2 as an ordinary user in the docker group, with no root', () => {
    // GIVEN
    ensureTestUser();
    mkdirSync(cacheDir(), { recursive: true });
    spawnSync('chown', [TEST_USER, cacheDir(), work]);
    const output = path.join(work, 'user-out', 'vm.qcow2');
    // WHEN
    const run = runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--output', output, '--cache-dir', cacheDir(), '--json'], { user: TEST_USER });
    // THEN
    const result = jsonOf(run);
    expect(spawnSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).stdout.trim()).not.toBe('0');
    expect(result.artifactPath).toBe(output);
    expect(imageCheck(output).format).toBe('qcow2');
    expect(run.stderr).toMatch(/rootfs: built in/);
    expect(run.stderr).toMatch(/stage\s+time\s+size\s+cache/);
  });

  test('an unchanged rebuild is a cache hit on the final stage and runs no stage', () => {
    const output = path.join(work, 'user-out', 'vm2.qcow2');
    const run = runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--output', output, '--cache-dir', cacheDir(), '--json'], { user: TEST_USER });
    const stages = jsonOf(run).stages;
    expect(stages.map(s => [s.stage, s.cacheHit])).toEqual([['convert', true]]);
    expect(run.stderr).not.toMatch(/docker build|built in/);
    expect(imageCheck(output).format).toBe('qcow2');
  });

  test('a changed disk option reuses the cached rootfs and rebuilds the rest', () => {
    const output = path.join(work, 'user-out', 'vm-gpt.vmdk');
    const run = runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--output', output, '--partition-table', 'gpt',
      '--cache-dir', cacheDir(), '--json'], { user: TEST_USER });
    expect(jsonOf(run).stages.map(s => [s.stage, s.cacheHit])).toEqual([['rootfs', true], ['disk', false], ['bootloader', false], ['convert', false]]);
    expect(imageCheck(output).format).toBe('vmdk');
    const raw = path.join(work, 'user-out', 'vm-gpt.raw');
    spawnSync('qemu-img', ['convert', '-O', 'raw', output, raw]);
    expect(spawnSync('sfdisk', ['--dump', raw], { encoding: 'utf8' }).stdout).toMatch(/label: gpt[\s\S]*attrs="LegacyBIOSBootable"/);
  });
});

describe('GIVEN bad input or a broken host', () => {
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = path.join(work, 'cache-errors');
    // The Debian fixture's rootfs tar, exported once, for the cases that need a real rootfs.
    debianTar = path.join(work, 'debian-rootfs.tar');
    const { result } = await buildQuietly({ stage: 'rootfs', source: { kind: 'dockerfile', contextDir: DEBIAN_FIXTURE, dockerfile: 'Dockerfile', buildArgs: {} } }, path.join(work, 'cache-fixture'));
    spawnSync('cp', [result.artifactPath, debianTar]);
  });

  function expectNothingLeft(before: ReturnType<typeof cacheState>, failedStage: string) {
    const after = cacheState(cacheDir);
    expect(after.tmp).toEqual([]);
    expect(after.entries[failedStage]).toEqual(before.entries[failedStage]);
  }

  test('fails when a host tool is missing, naming its Debian package', () => {
    // GIVEN a PATH with every tool but qemu-img
    const bin = path.join(work, 'bin-without-qemu-img');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['cp', 'docker', 'mcopy', 'syslinux', 'debugfs', 'fallocate', 'gzip']) {
      const found = findTool(tool);
      if (found && !existsSync(path.join(bin, tool))) symlinkSync(found, path.join(bin, tool));
    }
    const before = cacheState(cacheDir);
    // WHEN
    const run = runCli(['build', '--tar', debianTar, '--output', path.join(work, 'x.qcow2'), '--cache-dir', cacheDir], { env: { ...process.env, PATH: bin } });
    // THEN
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('qemu-img not found on PATH; install it with: apt-get install qemu-utils');
    expectNothingLeft(before, 'convert');
    expect(existsSync(path.join(work, 'x.qcow2'))).toBe(false);
  });

  test('fails when the docker engine does not answer, saying how to start it', () => {
    const before = cacheState(cacheDir);
    const run = runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--output', path.join(work, 'y.img'), '--cache-dir', cacheDir],
      { env: { ...process.env, DOCKER_HOST: `unix://${work}/no-docker.sock` } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/the docker engine does not answer .*start it/);
    expectNothingLeft(before, 'rootfs');
  });

  test('fails when the tar is not a tar', () => {
    const notTar = path.join(work, 'not-a.tar');
    writeFileSync(notTar, Buffer.alloc(4096, 0x41));
    const before = cacheState(cacheDir);
    const run = runCli(['build', '--tar', notTar, '--output', path.join(work, 'z.img'), '--cache-dir', cacheDir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--tar ${notTar} is not a tar file`);
    expectNothingLeft(before, 'rootfs');
  });

  test('fails when the tar is truncated', () => {
    const truncated = path.join(work, 'truncated.tar');
    spawnSync('cp', [debianTar, truncated]);
    truncateSync(truncated, 5 * 1024 * 1024 + 100);
    const before = cacheState(cacheDir);
    const run = runCli(['build', '--tar', truncated, '--output', path.join(work, 'z.img'), '--cache-dir', cacheDir]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/is truncated .*make the tar again/);
    expectNothingLeft(before, 'rootfs');
  });

  test('fails when the tar cannot be read', () => {
    const run = runCli(['build', '--tar', path.join(work, 'missing.tar'), '--output', path.join(work, 'z.img'), '--cache-dir', cacheDir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/missing\.tar does not exist/);
  });

  test('fails when the rootfs has no kernel and injection is off, saying what to install', () => {
    const tar = path.join(work, 'edge.tar');
    writeEdgeCaseTar(tar);
    const before = cacheState(cacheDir);
    const run = runCli(['build', '--tar', tar, '--inject', 'never', '--output', path.join(work, 'nokernel.img'), '--cache-dir', cacheDir]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/rootfs tar \S+edge\.tar has no kernel .*injection is off; install one in the image \(Debian: linux-image-amd64.*or set inject to auto/);
    expectNothingLeft(before, 'rootfs');
    expect(existsSync(path.join(work, 'nokernel.img'))).toBe(false);
  });

  test('fails when the rootfs lacks VM parts and its distribution is unknown, listing what is missing', () => {
    // GIVEN a tar with no kernel, no init and no /etc/os-release, injection on (the default)
    const tar = path.join(work, 'edge.tar');
    writeEdgeCaseTar(tar);
    const before = cacheState(cacheDir);
    // WHEN
    const run = runCli(['build', '--tar', tar, '--output', path.join(work, 'unknown.img'), '--cache-dir', cacheDir]);
    // THEN exit 2, each missing part named, and the supported families and the fix given
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/rootfs tar \S+edge\.tar \(no \/etc\/os-release\) lacks a kernel \(\/boot\/vmlinuz-\*\), an init system .* only to Debian, Ubuntu, Alpine, Fedora.*install them in the Dockerfile/);
    expectNothingLeft(before, 'rootfs');
    expect(existsSync(path.join(work, 'unknown.img'))).toBe(false);
  });

  test('fails when an explicit size is too small, naming the size needed', () => {
    const before = cacheState(cacheDir);
    const run = runCli(['build', '--tar', debianTar, '--size', '300M', '--output', path.join(work, 'small.img'), '--cache-dir', cacheDir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/disk size 300 MiB is too small: this rootfs needs a disk of at least \d+/);
    expectNothingLeft(before, 'disk');
  });

  test('fails on usage errors with exit 2 and a pointer to --help', () => {
    expect(runCli(['build', '--output', 'x.img']).stderr).toMatch(/give exactly one source/);
    expect(runCli(['build', '--tar', 'a.tar', '--output', 'x.img', '--format', 'iso']).stderr).toMatch(/--format iso is not supported; use one of raw, qcow2/);
    expect(runCli(['frobnicate']).status).toBe(2);
    expect(runCli(['--help']).stdout).toMatch(/^Usage/);
    expect(runCli(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('a corrupted cache entry (wrong size) is detected and rebuilt', () => {
    // GIVEN a complete raw artifact entry whose file was truncated behind the cache's back
    const args = ['build', '--tar', debianTar, '--format', 'raw', '--cache-dir', cacheDir, '--json'];
    const first = jsonOf(runCli([...args, '--output', path.join(work, 'c1.img')]));
    const entry = path.join(cacheDir, 'convert', first.cacheKey);
    truncateSync(path.join(entry, 'disk.img'), 4096);
    // WHEN
    const again = jsonOf(runCli([...args, '--output', path.join(work, 'c2.img')]));
    // THEN the convert stage ran again from the cached bootable disk, and the artifact is whole
    expect(again.stages.map(s => [s.stage, s.cacheHit])).toEqual([['bootloader', true], ['convert', false]]);
    expect(readFileSync(path.join(work, 'c2.img')).subarray(510, 512).toString('hex')).toBe('55aa');
    expect(imageCheck(path.join(work, 'c2.img')).virtualSize).toBe(imageCheck(path.join(work, 'c1.img')).virtualSize);
  });
});
