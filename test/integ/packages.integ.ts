/**
 * Packages: the Debian fixture built as an OVA and as a Vagrant libvirt box,
 * then taken apart with the tools that read them: GNU tar (member order),
 * sha256sum (the OVF manifest), xmllint against DMTF's OVF envelope schema
 * (DSP8023), qemu-img (check, info, compare with the bootable disk), Vagrant
 * (box add and list, offline), and cdktf-docker-vm check (DigitalOcean's
 * verdict). Two builds in separate caches must give the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, buildQuietly, fixtureRootfsTar, runCli } from './support/builder';
import { checkFlags, parseArgs } from '../../src/builder/cli-args';
import { build as buildCommand } from '../../src/builder/commands/build';
import { buildSpecFromArgs } from '../../src/builder/commands/build-spec';
import { SWITCHES } from '../../src/builder/commands/table';
import { PreflightError } from '../../src/builder/common/errors';
import { findTool } from '../../src/builder/common/tools';
import { ConvertSpec } from '../../src/builder/spec';

const SCHEMA = path.join(REPO, 'test/fixtures/ovf-schema/dsp8023_1.1.1.xsd');
const READERS = { 'xmllint': 'libxml2-utils', 'vagrant': 'vagrant', 'qemu-img': 'qemu-utils', 'tar': 'tar', 'sha256sum': 'coreutils' };

let work: string;
let fixedTar: string;

beforeAll(async () => {
  // the readers this test runs, beside the builder's own tools: a missing one fails here with its package
  const missing = Object.entries(READERS).filter(([tool]) => !findTool(tool)).map(([tool, pkg]) => `${tool} (apt-get install ${pkg})`);
  if (missing.length) throw new Error(`packages.integ.ts needs ${missing.join(', ')}; scripts/setup-host.sh installs them`);
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-packages-'));
  // one rootfs tar for every build, so two builds see the same input
  fixedTar = await fixtureRootfsTar(work);
}, 1_200_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Builds `name` (vm.ova or vm.box) from the fixed tar into runDir/, with runDir/cache. */
function build(runDir: string, name: string): string {
  const output = path.join(work, runDir, name);
  const r = runCli(['build', '--tar', fixedTar, '--output', output, '--cache-dir', path.join(work, runDir, 'cache'), '--quiet']);
  expect({ name, status: r.status, stderr: r.stderr }).toEqual({ name, status: 0, stderr: '' });
  return output;
}

function run(cmd: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function extract(archive: string): string {
  const dir = mkdtempSync(path.join(work, 'x-'));
  const r = run('tar', ['-x', '-f', archive, '-C', dir]);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  return dir;
}

/** The bootable raw disk the convert stage read: the bootloader stage's artifact in the run's cache. */
function bootableDisk(runDir: string): string {
  const dir = path.join(work, runDir, 'cache', 'bootloader');
  const [entry] = readdirSync(dir);
  const file = readdirSync(path.join(dir, entry)).find(f => f.endsWith('.img') || f.endsWith('.raw'));
  return path.join(dir, entry, file!);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('GIVEN the Debian fixture built with --output vm.ova', () => {
  let ova: string;
  let dir: string;
  beforeAll(() => {
    ova = build('a', 'vm.ova');
    dir = extract(ova);
  }, 1_200_000);

  test('the tar holds the descriptor, then the manifest, then the disk, as OVF requires', () => {
    const r = run('tar', ['-t', '-v', '-f', ova]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map(l => l.split(/\s+/).pop())).toEqual(['disk.ovf', 'disk.mf', 'disk1.vmdk']);
    for (const l of lines) expect(l).toMatch(/^-rw-r--r-- root\/root +\d+ 1970-01-01 00:00 /);
    // ustar, as DSP0243 asks: every header carries the POSIX magic
    const bytes = readFileSync(ova);
    expect(bytes.toString('latin1', 257, 263)).toBe('ustar\0');
  });

  test('the SHA256 manifest matches the descriptor and the disk (sha256sum)', () => {
    const manifest = readFileSync(path.join(dir, 'disk.mf'), 'utf8');
    expect(manifest).toMatch(/^SHA256\(disk\.ovf\)= [0-9a-f]{64}\nSHA256\(disk1\.vmdk\)= [0-9a-f]{64}\n$/);
    const asSha256sum = manifest.replace(/^SHA256\((.+)\)= ([0-9a-f]{64})$/gm, '$2  $1');
    writeFileSync(path.join(work, 'ova.sha256'), asSha256sum);
    const r = run('sha256sum', ['--check', '--strict', path.join(work, 'ova.sha256')], { cwd: dir });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'disk.ovf: OK\ndisk1.vmdk: OK\n' });
  });

  test('the descriptor validates against the DMTF OVF envelope schema (DSP8023), and a broken one does not', () => {
    // WHEN
    const good = run('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, path.join(dir, 'disk.ovf')]);
    // THEN
    expect({ status: good.status, stderr: good.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/disk\.ovf validates\n$/) });
    // GIVEN the disk item without its required ElementName
    const broken = path.join(work, 'broken.ovf');
    writeFileSync(broken, readFileSync(path.join(dir, 'disk.ovf'), 'utf8').replace('<rasd:ElementName>disk0</rasd:ElementName>', ''));
    // WHEN
    const bad = run('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, broken]);
    // THEN
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/broken\.ovf fails to validate/);
  });

  test('the descriptor references the disk with its size, and its capacity is the disk\'s virtual size', () => {
    const ovf = readFileSync(path.join(dir, 'disk.ovf'), 'utf8');
    const info = JSON.parse(run('qemu-img', ['info', '--output=json', path.join(dir, 'disk1.vmdk')]).stdout);
    expect(ovf).toContain(`<File ovf:href="disk1.vmdk" ovf:id="file1" ovf:size="${statSync(path.join(dir, 'disk1.vmdk')).size}"/>`);
    expect(ovf).toContain(`ovf:capacity="${info['virtual-size']}"`);
    expect(info['virtual-size']).toBe(statSync(bootableDisk('a')).size);
  });

  test('the VMDK is streamOptimized, passes qemu-img check and holds exactly the bootable disk', () => {
    const vmdk = path.join(dir, 'disk1.vmdk');
    const check = run('qemu-img', ['check', '-f', 'vmdk', vmdk]);
    expect({ status: check.status, stdout: check.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/No errors were found on the image/) });
    const info = JSON.parse(run('qemu-img', ['info', '--output=json', '-f', 'vmdk', vmdk]).stdout);
    expect(info).toMatchObject({ 'format': 'vmdk', 'format-specific': { data: { 'create-type': 'streamOptimized', 'extents': [{ compressed: true }] } } });
    const compare = run('qemu-img', ['compare', '-f', 'raw', '-F', 'vmdk', bootableDisk('a'), vmdk]);
    expect({ status: compare.status, stdout: compare.stdout }).toEqual({ status: 0, stdout: 'Images are identical.\n' });
  });

  test('check reads the disk inside and fails DigitalOcean\'s format rule for the OVA, with the reason', () => {
    // WHEN
    const r = runCli(['check', ova, '--json']);
    // THEN
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { results: Array<{ rule: string; status: string; detail: string }> };
    const byRule = Object.fromEntries(report.results.map(x => [x.rule, x]));
    expect(byRule.format).toEqual({ rule: 'format', status: 'fail', detail: expect.stringMatching(/^ova \(a tar package holding a vmdk disk\) is not a format DigitalOcean imports \(raw, qcow2, vmdk, vhdx, vdi\); build the image as qcow2/) });
    expect(byRule.compression.status).toBe('skip');
    expect(byRule['partition-table'].status).toBe('ok');
    expect(byRule['root-ext4'].status).toBe('ok');
    expect(byRule.size).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^1\.\d\d GiB/) });
  });
});

describe('GIVEN the Debian fixture built with --output vm.box', () => {
  let box: string;
  let dir: string;
  beforeAll(() => {
    box = build('a', 'vm.box');
    dir = extract(box);
  }, 1_200_000);

  test('the tar holds metadata.json for the libvirt provider, the Vagrantfile and a qcow2 box.img of the bootable disk', () => {
    const r = run('tar', ['-t', '-f', box]);
    expect(r.stdout).toBe('metadata.json\nVagrantfile\nbox.img\n');
    const img = path.join(dir, 'box.img');
    const info = JSON.parse(run('qemu-img', ['info', '--output=json', img]).stdout);
    expect(info.format).toBe('qcow2');
    expect(JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8'))).toEqual({
      provider: 'libvirt', format: 'qcow2', virtual_size: Math.ceil(info['virtual-size'] / 1024 ** 3),
    });
    expect(readFileSync(path.join(dir, 'Vagrantfile'), 'utf8')).toContain('libvirt.driver = "qemu"');
    expect(run('qemu-img', ['check', '-f', 'qcow2', img]).status).toBe(0);
    const compare = run('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', bootableDisk('a'), img]);
    expect({ status: compare.status, stdout: compare.stdout }).toEqual({ status: 0, stdout: 'Images are identical.\n' });
  });

  test('vagrant box add takes it offline, and vagrant box list shows it for libvirt', () => {
    // GIVEN a Vagrant home of this test only
    const env = { ...process.env, VAGRANT_HOME: path.join(work, 'vagrant-home'), VAGRANT_CHECKPOINT_DISABLE: '1' };
    mkdirSync(env.VAGRANT_HOME, { recursive: true });
    // WHEN
    const add = run('vagrant', ['box', 'add', '--name', 'cdvm-packages-test', box], { env });
    // THEN
    expect({ status: add.status, stderr: add.stderr }).toEqual({ status: 0, stderr: '' });
    expect(add.stdout).toMatch(/Successfully added box 'cdvm-packages-test' \(v0\) for 'libvirt'!/);
    const list = run('vagrant', ['box', 'list'], { env });
    expect({ status: list.status, stdout: list.stdout }).toEqual({ status: 0, stdout: 'cdvm-packages-test (libvirt, 0)\n' });
    const added = path.join(env.VAGRANT_HOME, 'boxes', 'cdvm-packages-test', '0', 'libvirt');
    expect(readdirSync(added).sort()).toEqual(['Vagrantfile', 'box.img', 'metadata.json']);
  });

  test('check fails DigitalOcean\'s format rule for the box, with the reason', () => {
    const r = runCli(['check', box, '--json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { results: Array<{ rule: string; status: string; detail: string }> };
    expect(report.results.find(x => x.rule === 'format')).toEqual({
      rule: 'format', status: 'fail', detail: expect.stringMatching(/^vagrant-libvirt \(a tar package holding a qcow2 disk\) is not a format DigitalOcean imports/),
    });
  });
});

test('two builds of the same tar in separate caches give byte-identical .ova and .box files', () => {
  // GIVEN the builds of run a (made by the tests above, or now)
  const first = ['vm.ova', 'vm.box'].map(name => {
    const file = path.join(work, 'a', name);
    return sha256(statSync(file, { throwIfNoEntry: false }) ? file : build('a', name));
  });
  // WHEN the same tar is built again from scratch
  const second = ['vm.ova', 'vm.box'].map(name => sha256(build('b', name)));
  // THEN
  expect(second).toEqual(first);
}, 1_800_000);

test('the convert stage\'s DigitalOcean preflight refuses an OVA with the format rule\'s reason, and caches nothing', async () => {
  // GIVEN the spec `build --tar ... --output vm.ova` makes, with the preflight CustomImage asks for
  // (the generic fixture also lacks cloud-init and sshd: those rules fail too)
  const args = parseArgs(['build', '--tar', fixedTar, '--output', path.join(work, 'pre', 'vm.ova')], SWITCHES);
  checkFlags(args, buildCommand.flags);
  const spec: ConvertSpec = { ...(buildSpecFromArgs(args, REPO).spec as ConvertSpec), preflight: 'digitalocean' };
  const convertEntries = () => readdirSync(path.join(work, 'a', 'cache', 'convert')).sort();
  const before = statSync(path.join(work, 'a', 'cache', 'convert'), { throwIfNoEntry: false }) ? convertEntries() : [];
  // WHEN
  const built = buildQuietly(spec, path.join(work, 'a', 'cache'));
  // THEN
  await expect(built).rejects.toThrow(PreflightError);
  expect(convertEntries()).toEqual(before);
  await expect(built).rejects.toThrow(/the image breaks \d+ of DigitalOcean's rules, so it would not import, boot or be reachable there:\n {2}format: ova \(a tar package holding a vmdk disk\) is not a format DigitalOcean imports/);
}, 1_200_000);

test('fails when a package is to be compressed: exit 2 before any work, naming the output and the fix', () => {
  const r = runCli(['build', '--tar', fixedTar, '--output', path.join(work, 'c', 'vm.ova.gz'), '--cache-dir', path.join(work, 'c', 'cache')]);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--output \S+vm\.ova\.gz: ova is a tar package that VMware, VirtualBox and Vagrant read as it is, so it is not compressed \(gzip asked\); build it without compression \(\.ova\)/);
  expect(statSync(path.join(work, 'c', 'cache'), { throwIfNoEntry: false })).toBeUndefined();
});
