/**
 * `cdktf-docker-vm check` on real images: the Debian fixture is built once to
 * a raw disk and made DigitalOcean-ready by writing the missing pieces into
 * its ext4 root with `debugfs -w` (no mount). Then one change per rule breaks
 * it, the check must fail naming that rule and only that rule, and the change
 * is undone for the next case.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliRun, DEBIAN_FIXTURE, buildQuietly, cacheState, runCli } from './support/builder';
import { findTool } from '../../src/builder/common/tools';
import { ConvertSpec } from '../../src/builder/spec';

interface CheckJson { ok: boolean; results: Array<{ rule: string; status: string; detail: string }> }

let work: string;
let good: string;
let rootOffset: number;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Runs debugfs requests on the root filesystem; fails on any error debugfs reports. */
function debugfsWrite(image: string, requests: string[]): void {
  const cmdFile = path.join(work, 'debugfs.cmds');
  writeFileSync(cmdFile, requests.join('\n') + '\n');
  const r = spawnSync('debugfs', ['-w', '-f', cmdFile, `${image}?offset=${rootOffset}`], { encoding: 'utf8' });
  const errors = r.stderr.split('\n').filter(l => l.trim() && !/^debugfs \d/.test(l));
  if (r.status !== 0 || errors.length) throw new Error(`debugfs failed: ${errors.join('\n')}`);
}

/** Writes `content` to `file` in the root filesystem, replacing what is there. */
function putFile(image: string, file: string, content: string, mode = '0100644'): void {
  const local = path.join(work, 'put.tmp');
  writeFileSync(local, content);
  const existing = spawnSync('debugfs', ['-R', `stat ${file}`, `${image}?offset=${rootOffset}`], { encoding: 'utf8' }).stderr.includes('not found') ? [] : [`rm ${file}`];
  debugfsWrite(image, [...existing, `write ${local} ${file}`, `sif ${file} mode ${mode}`]);
}

function readFile(image: string, file: string): string {
  return sh('debugfs', ['-R', `cat ${file}`, `${image}?offset=${rootOffset}`]);
}

/** [name, size] of the regular files in /var/log. */
function logsOf(image: string): Array<[string, number]> {
  return sh('debugfs', ['-R', 'ls -p /var/log', `${image}?offset=${rootOffset}`]).split('\n')
    .map(l => l.split('/'))
    .filter(f => f.length >= 7 && f[2].startsWith('100'))
    .map(f => [f[5], Number(f[6])]);
}

function readdirOf(image: string, dir: string): string[] {
  return sh('debugfs', ['-R', `ls -p ${dir}`, `${image}?offset=${rootOffset}`]).split('\n').map(l => l.split('/')[5]).filter(Boolean);
}

function check(image: string, ...flags: string[]): CliRun & { json: CheckJson } {
  const run = runCli(['check', image, '--json', ...flags]);
  let json: CheckJson;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    throw new Error(`check printed no JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return { ...run, json };
}

/** The rules that failed; a warning is not a failure (the exit code is 0). */
function failed(json: CheckJson): string[] {
  return json.results.filter(r => r.status === 'fail' || r.status === 'skip').map(r => r.rule);
}

function checkTmpLeftovers(): string[] {
  return readdirSync(os.tmpdir()).filter(n => n.startsWith('cdktf-docker-vm-check-'));
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-check-'));
  const raw = path.join(work, 'built.img');
  const build = runCli(['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--output', raw, '--cache-dir', path.join(work, 'cache'), '--quiet']);
  if (build.status !== 0) throw new Error(`fixture build failed:\n${build.stderr}`);
  const table = JSON.parse(sh('sfdisk', ['--json', raw])) as { partitiontable: { partitions: Array<{ start: number; type: string }> } };
  rootOffset = table.partitiontable.partitions.find(p => p.type === '83')!.start * 512;

  // What the builder does not install yet, written straight into the ext4 root.
  good = raw;
  debugfsWrite(good, ['mkdir /etc/cloud', 'mkdir /etc/cloud/cloud.cfg.d', 'mkdir /etc/ssh', 'mkdir /etc/ssh/sshd_config.d',
    'symlink /etc/systemd/system/multi-user.target.wants/ssh.service /lib/systemd/system/ssh.service']);
  putFile(good, '/etc/cloud/cloud.cfg.d/90_dpkg.cfg', 'datasource_list: [ NoCloud, ConfigDrive, DigitalOcean, None ]\n');
  putFile(good, '/etc/cloud/cloud.cfg.d/99-digitalocean.cfg', 'datasource_list:\n  - ConfigDrive\n  - DigitalOcean\n  - NoCloud # after ConfigDrive\n  - None\n');
  putFile(good, '/usr/bin/cloud-init', '#!/bin/sh\nexit 0\n', '0100755');
  putFile(good, '/usr/sbin/sshd', '#!/bin/sh\nexit 0\n', '0100755');
  // Debian's layout: the drop-in dir is included at the top, so its setting wins over the "yes" below.
  putFile(good, '/etc/ssh/sshd_config', 'Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n');
  putFile(good, '/etc/ssh/sshd_config.d/50-no-passwords.conf', 'PasswordAuthentication no\n');
  putFile(good, '/etc/shadow', readFile(good, '/etc/shadow').replace(/^root:[^:]*:/m, 'root:!:'), '0100640');
  // What the DigitalOcean profile does: the build's logs emptied, rotated ones removed.
  for (const [name, size] of logsOf(good)) {
    if (/\.\d$|-.{8}$/.test(name)) debugfsWrite(good, [`rm /var/log/${name}`]);
    else if (name.endsWith('.log') && size > 0) putFile(good, `/var/log/${name}`, '', '0100640');
  }
}, 900_000); // above runCli's 600 s, so a slow build fails with its own message

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('GIVEN the Debian fixture as built (no cloud-init, no sshd)', () => {
  test('a convert stage with the DigitalOcean preflight fails naming the broken rules, and caches nothing', async () => {
    // GIVEN the same chain the CLI built, cached, with the preflight on its convert stage
    const cacheDir = path.join(work, 'cache');
    const spec: ConvertSpec = {
      stage: 'convert',
      format: 'qcow2',
      compression: 'none',
      preflight: 'digitalocean',
      bootloader: {
        stage: 'bootloader',
        extraKernelArgs: [],
        disk: {
          stage: 'disk',
          partitionTable: 'mbr',
          bootPartitionMiB: 128,
          sizeMiB: undefined,
          rootfs: {
            stage: 'rootfs',
            source: { kind: 'dockerfile', contextDir: DEBIAN_FIXTURE, dockerfile: 'Dockerfile', buildArgs: {}, target: undefined },
            // what the CLI's build puts in (its defaults), so the upstream stages are the CLI's cache entries
            vm: { inject: 'auto', profile: 'generic', appService: true },
          },
        },
      },
    };
    const convertEntriesBefore = cacheState(cacheDir).entries.convert; // the CLI's raw build, without preflight
    // WHEN
    const built = buildQuietly(spec, cacheDir);
    // THEN
    await expect(built).rejects.toThrow(/the image breaks 3 of DigitalOcean's rules[\s\S]*\n {2}cloud-init: cloud-init is not installed[\s\S]*\n {2}sshd-enabled: [\s\S]*\n {2}password-auth-off: [\s\S]*cdktf-docker-vm check FILE/);
    const state = cacheState(cacheDir);
    expect(state.entries.bootloader).toHaveLength(1); // the upstream stages were cache hits
    expect(state.entries.convert).toEqual(convertEntriesBefore);
    expect(state.tmp).toEqual([]);
  });
});

describe('GIVEN the Debian fixture made DigitalOcean-ready', () => {
  test('a raw image passes every rule, with the table on stdout and exit 0', () => {
    // WHEN
    const run = runCli(['check', good]);
    // THEN
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^rule\s+result\s+detail$/);
    for (const rule of ['format', 'compression', 'size', 'partition-table', 'bios-boot', 'root-ext4', 'fstab', 'cloud-init', 'sshd-enabled',
      'no-host-keys', 'root-password-locked', 'password-auth-off', 'no-authorized-keys', 'logs-cleared']) {
      expect(run.stdout).toMatch(new RegExp(`^${rule}\\s+ok\\s+\\S`, 'm'));
    }
    expect(run.stdout).toMatch(/^bios-boot\s+ok\s+syslinux/m);
    expect(run.stdout).toMatch(/^cloud-init\s+ok\s+datasource_list \[ConfigDrive, DigitalOcean, NoCloud, None\] from \/etc\/cloud\/cloud.cfg.d\/99-digitalocean.cfg/m);
    expect(run.stdout).toMatch(/^password-auth-off\s+ok\s+PasswordAuthentication no \(\/etc\/ssh\/sshd_config.d\/50-no-passwords.conf\)/m);
    expect(run.stderr).toMatch(/all 14 rules pass in/);
  });

  test('a qcow2 of it and a gzip of that qcow2 pass too, leaving no temp files', () => {
    // GIVEN
    const qcow2 = path.join(work, 'good.qcow2');
    sh('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', good, qcow2]);
    sh('sh', ['-c', `${findTool('pigz') ? 'pigz' : 'gzip'} -1 -c "$1" > "$1.gz"`, 'sh', qcow2]);
    const before = checkTmpLeftovers();
    // WHEN
    const plain = check(qcow2);
    const gz = check(`${qcow2}.gz`);
    // THEN
    expect([plain.status, failed(plain.json)]).toEqual([0, []]);
    expect(plain.json.results.find(r => r.rule === 'format')!.detail).toBe('qcow2');
    expect([gz.status, failed(gz.json)]).toEqual([0, []]);
    expect(gz.json.results.slice(0, 2).map(r => r.detail)).toEqual(['qcow2', 'gzip']);
    expect(checkTmpLeftovers()).toEqual(before);
    rmSync(`${qcow2}.gz`);
  });

  test('fails "size" for a qcow2 of more than 100 GiB', () => {
    // GIVEN a 101 GiB overlay on the good qcow2 (nothing is copied)
    const big = path.join(work, 'big.qcow2');
    sh('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.join(work, 'good.qcow2'), '-F', 'qcow2', big, '101G']);
    // WHEN
    const run = check(big);
    // THEN
    expect(run.status).toBe(1);
    expect(failed(run.json)).toEqual(['size']);
    expect(run.json.results.find(r => r.rule === 'size')!.detail).toMatch(/101\.0 GiB .*above DigitalOcean's 100 GiB limit/);
    rmSync(big);
  });

  test('fails "format" for a vhd', () => {
    // GIVEN
    const vhd = path.join(work, 'good.vhd');
    sh('qemu-img', ['convert', '-f', 'qcow2', '-O', 'vpc', path.join(work, 'good.qcow2'), vhd]);
    // WHEN
    const run = check(vhd);
    // THEN
    expect(run.status).toBe(1);
    expect(failed(run.json)).toEqual(['format']);
    expect(run.json.results[0].detail).toMatch(/^vhd is not a format DigitalOcean imports/);
    rmSync(vhd);
    rmSync(path.join(work, 'good.qcow2'));
  });

  test('fails "compression" for an xz file, naming xz and the fix', () => {
    // GIVEN the start of the disk, xz-compressed (the check reads the magic bytes; compressing 1 GiB takes long)
    const xz = path.join(work, 'start.img.xz');
    sh('sh', ['-c', 'head -c 4194304 "$1" | xz -0 > "$2"', 'sh', good, xz]);
    // WHEN
    const run = runCli(['check', xz]);
    // THEN
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^compression\s+FAIL\s+the file is xz-compressed; DigitalOcean accepts an uncompressed, gzip or bzip2 image only/m);
    expect(run.stdout).toMatch(/^format\s+skip\s+not read: the file is xz/m);
  });

  test('exits 2 for a file that is not there', () => {
    const run = runCli(['check', path.join(work, 'missing.img')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cannot read image .*missing\.img/);
  });

  // One case per rule: break the good image, check, undo.
  const zeros440 = Buffer.alloc(440);
  let savedBootCode: Buffer;
  let savedFstab: string;
  const cases: Array<[string, string, () => void, () => void]> = [
    ['bios-boot', 'zeroed MBR boot code', () => {
      savedBootCode = readAt(good, 0, 440);
      writeAt(good, 0, zeros440);
    }, () => writeAt(good, 0, savedBootCode)],
    ['bios-boot', 'no active partition', () => sh('sfdisk', ['-q', '--activate', good, '-']), () => sh('sfdisk', ['-q', '--activate', good, '1'])],
    ['fstab', 'a / entry with a wrong UUID', () => {
      savedFstab = readFile(good, '/etc/fstab');
      putFile(good, '/etc/fstab', savedFstab.replace(/^UUID=\S+ \//m, 'UUID=00000000-1111-2222-3333-444444444444 /'));
    }, () => putFile(good, '/etc/fstab', savedFstab)],
    ['cloud-init', 'a later drop-in with NoCloud first', () => putFile(good, '/etc/cloud/cloud.cfg.d/99-zz-nocloud.cfg', 'datasource_list: [ NoCloud, ConfigDrive ]\n'),
      () => debugfsWrite(good, ['rm /etc/cloud/cloud.cfg.d/99-zz-nocloud.cfg'])],
    ['sshd-enabled', 'the ssh.service wants-link removed', () => debugfsWrite(good, ['rm /etc/systemd/system/multi-user.target.wants/ssh.service']),
      () => debugfsWrite(good, ['symlink /etc/systemd/system/multi-user.target.wants/ssh.service /lib/systemd/system/ssh.service'])],
    ['no-host-keys', 'a baked host key', () => putFile(good, '/etc/ssh/ssh_host_ed25519_key', 'not a real key\n', '0100600'),
      () => debugfsWrite(good, ['rm /etc/ssh/ssh_host_ed25519_key'])],
    ['root-password-locked', 'a root password hash', () => putFile(good, '/etc/shadow', readFile(good, '/etc/shadow').replace(/^root:[^:]*:/m, 'root:$6$saltsalt$SECRETHASH:'), '0100640'),
      () => putFile(good, '/etc/shadow', readFile(good, '/etc/shadow').replace(/^root:[^:]*:/m, 'root:!:'), '0100640')],
    ['password-auth-off', 'PasswordAuthentication yes in an earlier drop-in', () => putFile(good, '/etc/ssh/sshd_config.d/05-passwords.conf', 'PasswordAuthentication yes\n'),
      () => debugfsWrite(good, ['rm /etc/ssh/sshd_config.d/05-passwords.conf'])],
  ];

  test.each(cases)('fails "%s" for %s, and only that rule', (rule, _what, breakIt, undo) => {
    // GIVEN
    breakIt();
    // WHEN
    const run = check(good);
    // THEN
    try {
      expect(run.status).toBe(1);
      expect(failed(run.json)).toEqual([rule]);
      expect(run.stderr).toContain(`1 of 14 rules failed (${rule})`);
      expect(run.stdout).not.toContain('SECRETHASH');
    } finally {
      undo();
    }
  });

  test('warns "logs-cleared" for a log the build left, and still exits 0', () => {
    // GIVEN
    putFile(good, '/var/log/app.log', 'started\n'.repeat(20));
    // WHEN
    const run = check(good);
    // THEN
    try {
      expect([run.status, failed(run.json)]).toEqual([0, []]);
      const logs = run.json.results.find(r => r.rule === 'logs-cleared')!;
      expect(logs.status).toBe('warn');
      expect(logs.detail).toMatch(/^the build left logs in the image \(\/var\/log\/app\.log\)/);
      expect(run.stderr).toMatch(/all 14 rules pass, 1 with a warning \(logs-cleared\)/);
    } finally {
      debugfsWrite(good, ['rm /var/log/app.log']);
    }
  });

  test('fails "no-authorized-keys" for /root/.ssh/authorized_keys, unless --allow-authorized-keys', () => {
    // GIVEN
    const hadDir = readdirOf(good, '/root').includes('.ssh');
    if (!hadDir) debugfsWrite(good, ['mkdir /root/.ssh']);
    putFile(good, '/root/.ssh/authorized_keys', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample test@example\n', '0100600');
    // WHEN
    const strict = check(good);
    const allowed = check(good, '--allow-authorized-keys');
    // THEN
    expect(strict.status).toBe(1);
    expect(failed(strict.json)).toEqual(['no-authorized-keys']);
    expect(strict.json.results.find(r => r.rule === 'no-authorized-keys')!.detail).toMatch(/^\/root\/.ssh\/authorized_keys baked into the image/);
    expect([allowed.status, failed(allowed.json)]).toEqual([0, []]);
    debugfsWrite(good, ['rm /root/.ssh/authorized_keys', ...(hadDir ? [] : ['rmdir /root/.ssh'])]);
  });

  test('fails "root-ext4" when the root partition holds vfat (last: it destroys the root filesystem)', () => {
    // GIVEN
    sh('mkfs.fat', ['-F', '32', '--offset', String(rootOffset / 512), good]);
    // WHEN
    const run = runCli(['check', good]);
    // THEN
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^root-ext4\s+FAIL\s+the root partition 2 holds vfat; DigitalOcean needs ext3 or ext4/m);
    expect(run.stdout).toMatch(/^fstab\s+skip\s+not read: no ext root filesystem \(partition 2 holds vfat\)/m);
    expect(existsSync(good)).toBe(true);
  });
});

function writeAt(file: string, position: number, data: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, data, 0, data.length, position);
  } finally {
    closeSync(fd);
  }
}

function readAt(file: string, position: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, position);
    return buf;
  } finally {
    closeSync(fd);
  }
}
