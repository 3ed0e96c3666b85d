/**
 * Preview: the cloud-vm fixture (kernel, systemd, sshd, cloud-init, growpart)
 * booted like a DigitalOcean Droplet from a custom image: the config drive's
 * hostname, SSH key and user_data take effect, / grows to the disk size, only
 * key login works, each boot gets its own host keys and machine-id, app ports
 * are forwarded on 127.0.0.1, and --direct-kernel reaches SSH too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, REPO, runCli } from './support/builder';
import { freePort, PreviewSession, startPreview } from '../../src/builder/preview/run';

const FIXTURE = path.join(REPO, 'test/integ/fixtures/cloud-vm/Dockerfile');
/** Kept between runs: the fingerprint decides what is rebuilt. */
const CACHE = process.env.CDKTF_DOCKER_VM_PREVIEW_CACHE ?? path.join(os.tmpdir(), 'cdvm-preview-cache');
const READY_TIMEOUT_SECONDS = 500;
const DISK_SIZE_MIB = 10 * 1024;

let work: string;
let image: string;
let imageHash: string;
let key: string;
const timings: Record<string, object> = {};

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function inGuest(session: PreviewSession, command: string[]): Promise<string> {
  const r = await session.ssh(command);
  if (r.status !== 0) throw new Error(`${command.join(' ')} failed in the guest (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

/** Local addresses listening on a TCP port, from /proc/net/tcp{,6}: e.g. ['127.0.0.1']. */
function listenersOn(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue;
      const [addr, portHex] = local.split(':');
      if (parseInt(portHex, 16) !== port) continue;
      found.push(addr.length === 8 ? addr.match(/../g)!.reverse().map(b => parseInt(b, 16)).join('.') : `[${addr}]`);
    }
  }
  return found;
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/hostname', timeout: 30_000 }, res => {
      let body = '';
      res.on('data', d => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-preview-'));
  image = path.join(work, 'cloud.qcow2');
  const built = runCli(['build', '--dockerfile', FIXTURE, '--output', image, '--cache-dir', CACHE, '--quiet'], { timeoutMs: 1_200_000 });
  if (built.status !== 0) throw new Error(`building the cloud-vm fixture failed: ${built.stderr}`);
  imageHash = sh('sha256sum', [image]).split(' ')[0];
  key = path.join(work, 'id_ed25519');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cdvm-preview-test', '-f', key]);
  writeFileSync(path.join(work, 'user-data.sh'), '#!/bin/sh\necho "user_data ran on $(hostname)" > /root/user-data-marker\n');
});

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`preview timings (seconds since QEMU start): ${JSON.stringify(timings, null, 2)}`);
  rmSync(work, { recursive: true, force: true });
});

describe('GIVEN the cloud-vm fixture built to qcow2', () => {
  let first: { hostKey: string; machineId: string } | undefined;

  test('preview applies the config drive: hostname, key, user_data, grown /, no password login', async () => {
    // WHEN
    const session = await startPreview({
      image,
      sshPublicKey: `${key}.pub`,
      userData: path.join(work, 'user-data.sh'),
      hostname: 'integ-first',
      diskSizeMiB: DISK_SIZE_MIB,
      timeoutSeconds: READY_TIMEOUT_SECONDS,
    });
    try {
      timings.firstBoot = { ...session.timings, accelerator: session.accelerator };
      // THEN
      expect(session.cloudInitStatus).toBe('done');
      expect(listenersOn(session.sshPort)).toEqual(['127.0.0.1']);
      expect(await inGuest(session, ['hostname'])).toBe('integ-first');
      expect(await inGuest(session, ['cat', '/root/user-data-marker'])).toBe('user_data ran on integ-first');
      const rootBytes = Number(await inGuest(session, ['findmnt', '-bno', 'SIZE', '/']));
      expect(rootBytes).toBeGreaterThan(0.9 * DISK_SIZE_MIB * 1024 * 1024);
      expect(await inGuest(session, ['findmnt', '-no', 'OPTIONS', '/'])).toMatch(/^rw,/);
      expect(await inGuest(session, ['sh', '-c', 'echo ok > /var/tmp/writable && cat /var/tmp/writable'])).toBe('ok');
      expect(await inGuest(session, ['sshd', '-T'])).toMatch(/^passwordauthentication no$/m);
      const password = await session.ssh(['true'], { extraOptions: ['-o', 'PreferredAuthentications=password', '-o', 'PubkeyAuthentication=no'] });
      expect(password.status).toBe(255);
      expect(password.stderr).toMatch(/Permission denied/);
      first = {
        hostKey: await inGuest(session, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub']),
        machineId: await inGuest(session, ['cat', '/etc/machine-id']),
      };
      expect(first.machineId).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await session.stop();
    }
    // THEN the image itself was never written
    expect(sh('sha256sum', [image]).split(' ')[0]).toBe(imageHash);
  });

  test('a second boot of the same image has its own host keys and machine-id, and forwards an app port', async () => {
    // GIVEN
    expect(first).toBeDefined();
    const appPort = await freePort();
    // WHEN
    const session = await startPreview({
      image,
      sshPublicKey: `${key}.pub`,
      hostname: 'integ-second',
      forwards: [{ hostPort: appPort, guestPort: 8000 }],
      diskSizeMiB: DISK_SIZE_MIB,
      timeoutSeconds: READY_TIMEOUT_SECONDS,
    });
    try {
      timings.secondBoot = { ...session.timings, accelerator: session.accelerator };
      // THEN
      expect(await inGuest(session, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).not.toBe(first!.hostKey);
      expect(await inGuest(session, ['cat', '/etc/machine-id'])).not.toBe(first!.machineId);
      expect(listenersOn(appPort)).toEqual(['127.0.0.1']);
      await inGuest(session, ['systemd-run', '--unit', 'app', 'python3', '-m', 'http.server', '8000', '--directory', '/etc']);
      let body = '';
      for (let i = 0; i < 30 && body === ''; i++) {
        body = await httpGet(appPort).catch(() => '');
        if (!body) await new Promise(r => setTimeout(r, 1000));
      }
      expect(body.trim()).toBe('integ-second');
    } finally {
      await session.stop();
    }
  });

  test('the CLI with --direct-kernel reaches SSH and cloud-init, prints the ssh command and cleans up', () => {
    // GIVEN
    const before = readdirSync(os.tmpdir()).filter(n => n.startsWith('cdktf-docker-vm-preview-'));
    const consoleLog = path.join(work, 'direct-console.log');
    // WHEN
    const r = runCli(['preview', image, '--ssh-key', `${key}.pub`, '--direct-kernel', '--exit-when-ready',
      '--console-log', consoleLog, '--timeout', String(READY_TIMEOUT_SECONDS)], { timeoutMs: (READY_TIMEOUT_SECONDS + 120) * 1000 });
    // THEN
    expect(r.stderr).toMatch(/preview: boot started \((kvm|tcg), direct kernel\)/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ssh -i ${key} -p \\d+ -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127\\.0\\.0\\.1\\n$`));
    expect(r.stderr).toMatch(/preview: sshd answering after [\d.]+ s/);
    expect(r.stderr).toMatch(/preview: key accepted for root after [\d.]+ s/);
    expect(r.stderr).toMatch(/preview: cloud-init done after [\d.]+ s/);
    const log = readFileSync(consoleLog, 'utf8');
    expect(log).toMatch(/Linux version/);
    expect(log).not.toMatch(/SeaBIOS|SYSLINUX/);
    timings.directKernel = { stderr: r.stderr.split('\n').filter(l => /preview: (sshd|key|cloud-init|ready)/.test(l)) };
    expect(readdirSync(os.tmpdir()).filter(n => n.startsWith('cdktf-docker-vm-preview-'))).toEqual(before);
    expect(statSync(consoleLog).size).toBeGreaterThan(0);
  });

  test('SIGINT stops QEMU and removes the temp dir while the VM runs', async () => {
    // GIVEN the preview running with the serial log in a file we can watch
    const consoleLog = path.join(work, 'sigint-console.log');
    const child = spawn(process.execPath, [CLI, 'preview', image, '--ssh-key', `${key}.pub`, '--direct-kernel', '--console-log', consoleLog], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', d => { stderr += d; });
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
    const deadline = Date.now() + 120_000;
    while (!/boot started/.test(stderr) && Date.now() < deadline) await new Promise(r => setTimeout(r, 500));
    const tempDir = readdirSync(os.tmpdir()).find(n => n.startsWith('cdktf-docker-vm-preview-') && existsSync(path.join(os.tmpdir(), n, 'overlay.qcow2')));
    expect(tempDir).toBeDefined();
    await new Promise(r => setTimeout(r, 3000));
    // WHEN
    child.kill('SIGINT');
    const code = await exited;
    // THEN
    expect(code).toBe(130);
    expect(existsSync(path.join(os.tmpdir(), tempDir!))).toBe(false);
    expect(spawnSync('pgrep', ['-f', `qemu-system-x86_64.*${tempDir}`]).status).toBe(1);
  });
});
