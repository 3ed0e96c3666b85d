/**
 * Injection + DigitalOcean profile + preview, end to end: an application image
 * (debian:bookworm + a busybox HTTP server; no kernel, init, cloud-init or sshd)
 * is built with --profile digitalocean, passes `check`, and boots like a
 * Droplet: the config drive's hostname, SSH key and user_data take effect, /
 * grows to the disk size, only key login works, the container's program answers
 * on a forwarded port with its ENV, USER and WORKDIR, each boot gets its own
 * host keys and machine-id, and a LocalPreview construct's spec boots with
 * --direct-kernel.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, REPO, runCli } from './support/builder';
import { SPEC_VM_HOSTNAME, synthLocalPreview } from './support/local-preview';
import { freePort, PreviewSession, startPreview } from '../../src/builder/preview/run';

const FIXTURE_DIR = path.join(REPO, 'test/integ/fixtures/debian-app');
const FIXTURE = path.join(FIXTURE_DIR, 'Dockerfile');
const APP_PAGE = 'greeting=hello from a container user=app cwd=/srv/app';
/** Kept between runs: the fingerprint decides what is rebuilt. */
const CACHE = process.env.CDKTF_DOCKER_VM_PREVIEW_CACHE ?? path.join(os.tmpdir(), 'cdvm-preview-cache');
/** TCG boot plus cloud-init: about a minute idle, 2-4 times that on a loaded machine. */
const READY_TIMEOUT_SECONDS = 600;
/** Above the ready wait plus the HTTP retries, so the preview's own error is what fails a test. */
const BOOT_TEST_TIMEOUT_MS = (READY_TIMEOUT_SECONDS + 240) * 1000;
const DISK_SIZE_MIB = 10 * 1024;

let work: string;
let image: string;
let imageHash: string;
let buildLog: string;
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

interface AppRootfsMeta {
  readonly vm: { family: string; installed: string[]; notes: string[] };
}

/** The meta of the newest rootfs cache entry made from the app image (the one this build used). */
function newestAppRootfsMeta(): AppRootfsMeta {
  const dir = path.join(CACHE, 'rootfs');
  const manifests = readdirSync(dir)
    .map(fp => path.join(dir, fp, 'manifest.json'))
    .filter(existsSync)
    .map(file => ({ file, meta: JSON.parse(readFileSync(file, 'utf8')).meta }))
    .filter(m => m.meta?.imageConfig?.entrypoint?.[0] === '/usr/local/bin/app' && m.meta?.vm);
  manifests.sort((a, b) => statSync(b.file).mtimeMs - statSync(a.file).mtimeMs);
  if (manifests.length === 0) throw new Error(`no rootfs entry of the app image in ${dir}`);
  return manifests[0].meta as AppRootfsMeta;
}

/** The app starts after the network is online, which may be a while after SSH is ready on a loaded machine. */
async function httpGetRetrying(port: number, urlPath: string): Promise<string> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      return await httpGet(port, urlPath);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise(r => setTimeout(r, 1000));
    }
  }
}

function httpGet(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 30_000 }, res => {
      let body = '';
      res.on('data', d => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath} on port ${port} got no answer within 30 s`)));
  });
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-preview-'));
  image = path.join(work, 'app.qcow2');
  const built = runCli(['build', '--dockerfile', FIXTURE, '--profile', 'digitalocean', '--output', image, '--cache-dir', CACHE], { timeoutMs: 1_200_000 });
  if (built.status !== 0) throw new Error(`building the debian-app fixture failed: ${built.stderr}`);
  buildLog = built.stderr;
  imageHash = sh('sha256sum', [image]).split(' ')[0];
  key = path.join(work, 'id_ed25519');
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cdvm-preview-test', '-f', key]);
  writeFileSync(path.join(work, 'user-data.sh'), '#!/bin/sh\necho "user_data ran on $(hostname)" > /root/user-data-marker\n');
}, 1_320_000); // above the build's own 1200 s limit

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`preview timings (seconds since QEMU start): ${JSON.stringify(timings, null, 2)}`);
  rmSync(work, { recursive: true, force: true });
});

describe('GIVEN an application image with no kernel, built with the DigitalOcean profile', () => {
  let first: { hostKey: string; machineId: string } | undefined;

  test('injection added the missing parts with apt, and the container command became a service', () => {
    // the rootfs stage's record (the build log says the same, unless the cache already held the entry)
    const vm = newestAppRootfsMeta().vm;
    expect(vm.family).toBe('debian');
    expect(vm.installed).toEqual(['kernel', 'init', 'dhcp', 'cloud-init', 'sshd']);
    expect(vm.notes).toContain('Debian GNU/Linux 12 (bookworm): adding kernel, init, dhcp, cloud-init, sshd with apt');
    expect(vm.notes).toContain('container command: ["/usr/local/bin/app","8080"] runs at boot as the systemd unit container-app.service');
    if (/rootfs\s+\S+ m?s\s+\S+ \S+\s+miss/.test(buildLog)) expect(buildLog).toMatch(/rootfs: Debian GNU\/Linux 12 \(bookworm\): adding kernel/);
  });

  test('the image passes every DigitalOcean preflight rule', () => {
    const r = runCli(['check', image, '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; results: { rule: string; status: string }[] };
    expect(report.results.filter(x => x.status !== 'ok')).toEqual([]);
    expect(report.results.map(x => x.rule)).toEqual(expect.arrayContaining(['cloud-init', 'sshd-enabled', 'no-host-keys', 'root-password-locked', 'password-auth-off']));
  });

  test('preview applies the config drive: hostname, key, user_data, grown /, no password login; the app answers', async () => {
    // WHEN
    const appPort = await freePort();
    const session = await startPreview({
      image,
      sshPublicKey: `${key}.pub`,
      userData: path.join(work, 'user-data.sh'),
      hostname: 'integ-first',
      forwards: [{ hostPort: appPort, guestPort: 8080 }],
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
      // the container's ENTRYPOINT/CMD runs as its USER, in its WORKDIR, with its ENV, reachable on 127.0.0.1 only
      expect(listenersOn(appPort)).toEqual(['127.0.0.1']);
      expect((await httpGetRetrying(appPort, '/')).trim()).toBe(APP_PAGE);
      expect(await inGuest(session, ['systemctl', 'is-active', 'container-app.service'])).toBe('active');
      expect(await inGuest(session, ['cloud-init', 'status'])).toBe('status: done');
    } finally {
      await session.stop();
    }
    // THEN the image itself was never written
    expect(sh('sha256sum', [image]).split(' ')[0]).toBe(imageHash);
  }, BOOT_TEST_TIMEOUT_MS);

  test('a second boot of the same image has its own host keys and machine-id', async () => {
    // GIVEN
    expect(first).toBeDefined();
    // WHEN
    const session = await startPreview({
      image,
      sshPublicKey: `${key}.pub`,
      hostname: 'integ-second',
      diskSizeMiB: DISK_SIZE_MIB,
      timeoutSeconds: READY_TIMEOUT_SECONDS,
    });
    try {
      timings.secondBoot = { ...session.timings, accelerator: session.accelerator };
      // THEN
      expect(await inGuest(session, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).not.toBe(first!.hostKey);
      expect(await inGuest(session, ['cat', '/etc/machine-id'])).not.toBe(first!.machineId);
      expect(await inGuest(session, ['hostname'])).toBe('integ-second');
    } finally {
      await session.stop();
    }
  }, BOOT_TEST_TIMEOUT_MS);

  test('a LocalPreview spec boots with --direct-kernel: the Droplets\' hostname and user_data, the disk from the cache', () => {
    // GIVEN a DockerVm on the same Dockerfile and a LocalPreview of it, synthesized
    const specFile = synthLocalPreview(FIXTURE_DIR, `${key}.pub`);
    const before = readdirSync(os.tmpdir()).filter(n => n.startsWith('cdktf-docker-vm-preview-'));
    const consoleLog = path.join(work, 'direct-console.log');
    // WHEN
    const r = runCli(['preview', '--spec', specFile, '--cache-dir', CACHE, '--ssh-key', `${key}.pub`, '--direct-kernel', '--exit-when-ready',
      '--console-log', consoleLog, '--timeout', String(READY_TIMEOUT_SECONDS)], { timeoutMs: (READY_TIMEOUT_SECONDS + 120) * 1000 });
    // THEN the construct's disk is the one the CLI built (cache hit), booted without the bootloader
    expect(r.stderr).toMatch(/bootloader\s+[\d.]+ m?s\s+\S+ \S+\s+hit/);
    expect(r.stderr).toMatch(/preview: boot started \((kvm|tcg), direct kernel\)/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ssh -i ${key} -p \\d+ -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127\\.0\\.0\\.1\\n$`));
    expect(r.stderr).toMatch(/preview: key accepted for root after [\d.]+ s/);
    expect(r.stderr).toMatch(/preview: cloud-init done after [\d.]+ s/);
    const log = readFileSync(consoleLog, 'utf8');
    expect(log).toMatch(/Linux version/);
    expect(log).not.toMatch(/SeaBIOS|SYSLINUX/);
    // AND the Droplet's hostname and user_data came from the spec
    expect(log).toMatch(new RegExp(`^${SPEC_VM_HOSTNAME} login:`, 'm'));
    expect(log).toContain(`spec user_data ran on ${SPEC_VM_HOSTNAME}`);
    timings.directKernelFromSpec = { stderr: r.stderr.split('\n').filter(l => /preview: (sshd|key|cloud-init|ready)/.test(l)) };
    expect(readdirSync(os.tmpdir()).filter(n => n.startsWith('cdktf-docker-vm-preview-'))).toEqual(before);
  });

  test('SIGINT stops QEMU and removes the temp dir while the VM runs', async () => {
    // GIVEN the preview running with the serial log in a file we can watch
    const consoleLog = path.join(work, 'sigint-console.log');
    const child = spawn(process.execPath, [CLI, 'preview', image, '--ssh-key', `${key}.pub`, '--direct-kernel', '--console-log', consoleLog], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', d => { stderr += d; });
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
    // the VM runs once its kernel writes to the serial log (not a fixed sleep: a loaded machine may take minutes)
    const running = () => /boot started/.test(stderr) && existsSync(consoleLog) && statSync(consoleLog).size > 0;
    const deadline = Date.now() + 600_000;
    while (!running() && Date.now() < deadline) await new Promise(r => setTimeout(r, 500));
    expect({ running: running(), stderr }).toEqual({ running: true, stderr: expect.any(String) });
    const tempDir = readdirSync(os.tmpdir()).find(n => n.startsWith('cdktf-docker-vm-preview-') && existsSync(path.join(os.tmpdir(), n, 'overlay.qcow2')));
    expect(tempDir).toBeDefined();
    // WHEN
    child.kill('SIGINT');
    const code = await exited;
    // THEN
    expect(code).toBe(130);
    expect(existsSync(path.join(os.tmpdir(), tempDir!))).toBe(false);
    expect(spawnSync('pgrep', ['-f', `qemu-system-x86_64.*${tempDir}`]).status).toBe(1);
  });
});
