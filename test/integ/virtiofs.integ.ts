/**
 * `preview --virtiofs`, end to end: the debian-app fixture (no kernel, init,
 * cloud-init or sshd of its own) is built with a real docker build, its rootfs
 * exported beside the cache entry and booted with no disk, the image's kernel
 * and initrd and a virtiofs root from virtiofsd. It reaches SSH-ready with
 * cloud-init done; over ssh, / is virtiofs; what the guest writes stays out of
 * the cached export. An image whose own initrd lacks virtiofs.ko is refused
 * before booting. Runs as root (virtiofsd's namespace sandbox).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, REPO } from './support/builder';

const APP_DOCKERFILE = path.join(REPO, 'test/integ/fixtures/debian-app/Dockerfile');
/** Debian with its own linux-image-amd64: Debian 12's initramfs-tools (MODULES=most) leaves virtiofs out. */
const OWN_KERNEL_DOCKERFILE = path.join(REPO, 'test/integ/fixtures/debian-vm/Dockerfile');
/** Kept between runs: the fingerprint decides what is rebuilt. */
const CACHE = process.env.CDKTF_DOCKER_VM_VIRTIOFS_CACHE ?? path.join(os.tmpdir(), 'cdvm-virtiofs-cache');
/** TCG boot plus cloud-init on a loaded machine. */
const READY_TIMEOUT_SECONDS = 600;
/** The build (apt-get in docker) and the ready wait, with room for the process to stop. */
const RUN_TIMEOUT_MS = (1200 + READY_TIMEOUT_SECONDS + 120) * 1000;

let work: string;
let key: string;

/** The compiled CLI, as the other integration tests run it (npm test compiles first). */
function cliArgv(args: readonly string[]): string[] {
  return [CLI, ...args];
}
const CLI_ENV = process.env;

function runCliSync(args: readonly string[], timeoutMs: number): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, cliArgv(args), { encoding: 'utf8', env: CLI_ENV, cwd: REPO, timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The session's temp dir, from the console log path the preview reports (its default place):
 * other engineers' previews make their own temp dirs at the same time, so only this one is checked.
 */
function sessionDir(stderr: string): string {
  const m = /console log (\/\S+)\/console\.log/.exec(stderr);
  if (!m) throw new Error(`no console log path in the preview's progress: ${stderr.slice(-2000)}`);
  return m[1];
}

/** Gone: the session's temp dir (config drive, rootfs copy, socket), and any virtiofsd serving from it. */
function expectSessionGone(stderr: string): void {
  const dir = sessionDir(stderr);
  expect(existsSync(dir)).toBe(false);
  expect(spawnSync('pgrep', ['-f', `${dir}/virtiofs.sock`], { encoding: 'utf8' }).stdout.trim()).toBe('');
}

/** The export directories of every rootfs entry in the cache. */
function exports(): string[] {
  const dir = path.join(CACHE, 'rootfs');
  return (existsSync(dir) ? readdirSync(dir) : []).map(fp => path.join(dir, fp, 'virtiofs-root')).filter(existsSync);
}

const baseArgs = () => [
  'preview', '--virtiofs', '--dockerfile', APP_DOCKERFILE, '--ssh-key', `${key}.pub`, '--cache-dir', CACHE, '--timeout', String(READY_TIMEOUT_SECONDS),
];

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-virtiofs-'));
  key = path.join(work, 'id_ed25519');
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cdvm-virtiofs-test', '-f', key], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

test('preview --virtiofs --exit-when-ready builds, exports and boots the Dockerfile to SSH-ready with cloud-init done', () => {
  // WHEN
  const r = runCliSync([...baseArgs(), '--exit-when-ready'], RUN_TIMEOUT_MS);
  // THEN
  expect({ status: r.status, stderrTail: r.stderr.slice(-3000) }).toEqual({ status: 0, stderrTail: expect.any(String) });
  expect(r.stderr).toMatch(/boot started \(\w+, virtiofs root, as root\)/);
  expect(r.stderr).toMatch(/ready: sshd [\d.]+ s, key accepted [\d.]+ s, cloud-init done/);
  expect(r.stdout.trim()).toMatch(/^ssh .*-p \d+ .*root@127\.0\.0\.1$/);
  expect(exports()).not.toEqual([]);
  expectSessionGone(r.stderr);
}, RUN_TIMEOUT_MS + 60_000);

describe('a running virtiofs preview', () => {
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let exitCode: Promise<number | null>;

  // A failed test leaves the preview running: Ctrl-C lets it stop QEMU and virtiofsd and remove its files.
  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exitCode;
    clearTimeout(killer);
  }, 90_000);

  test('has / on virtiofs, and the guest\'s writes stay out of the cached export; Ctrl-C stops it cleanly', async () => {
    // GIVEN a preview that runs until interrupted
    child = spawn(process.execPath, cliArgv(baseArgs()), { env: CLI_ENV, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', d => { stdout += d; });
    child.stderr!.on('data', d => { stderr += d; });
    exitCode = new Promise(resolve => child.once('exit', code => resolve(code)));
    const sshLine = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const line = stdout.split('\n').find(l => l.startsWith('ssh '));
        if (line) { clearInterval(timer); resolve(line); }
        if (child.exitCode !== null) { clearInterval(timer); reject(new Error(`preview exited ${child.exitCode}: ${stderr.slice(-3000)}`)); }
      }, 500);
    });
    const sshArgs = sshLine.split(' ').slice(1);

    // WHEN
    const probe = spawnSync('ssh', [...sshArgs.slice(0, -1), sshArgs.at(-1)!,
      'findmnt -n -o FSTYPE,SOURCE /; echo written-by-guest > /root/virtiofs-marker; cloud-init status'], { encoding: 'utf8', timeout: 120_000 });

    // THEN
    expect({ status: probe.status, stderr: probe.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    const [fsLine, status] = probe.stdout.trim().split('\n');
    expect(fsLine.split(/\s+/)).toEqual(['virtiofs', 'rootfs']);
    expect(status).toBe('status: done');
    for (const dir of exports()) expect(existsSync(path.join(dir, 'root/virtiofs-marker'))).toBe(false);

    // WHEN interrupted
    child.kill('SIGINT');
    // THEN
    expect(await exitCode).toBe(0);
    expectSessionGone(stderr);
  }, RUN_TIMEOUT_MS + 60_000);
});

test('an image whose own initrd lacks virtiofs.ko is refused before booting, naming the fix', () => {
  // GIVEN the debian-vm fixture: linux-image-amd64 installed by its Dockerfile, no virtiofs in initramfs-tools' modules
  // WHEN
  const r = runCliSync(['preview', '--virtiofs', '--dockerfile', OWN_KERNEL_DOCKERFILE, '--profile', 'generic', '--ssh-key', `${key}.pub`,
    '--cache-dir', CACHE, '--exit-when-ready'], 1_200_000);
  // THEN
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/initrd \(\/boot\/initrd\.img-[^)]+\) has no virtiofs module, so it cannot mount a virtiofs root: add `RUN echo virtiofs >> \/etc\/initramfs-tools\/modules` before the kernel is installed/);
  expect(r.stderr).not.toMatch(/boot started/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}, 1_260_000);

test('the cached export keeps the image\'s owners (run as root)', () => {
  // GIVEN the export the first test made; the fixture's app user owns /srv/app
  const dir = exports().find(d => existsSync(path.join(d, 'usr/local/bin/app')));
  expect(dir).toBeDefined();
  // THEN
  const appUid = Number(spawnSync('awk', ['-F:', '$1=="app"{print $3}', path.join(dir!, 'etc/passwd')], { encoding: 'utf8' }).stdout.trim());
  expect(appUid).toBeGreaterThan(0);
  expect(statSync(path.join(dir!, 'srv/app')).uid).toBe(appUid);
  expect(statSync(path.join(dir!, 'usr/bin/passwd')).mode & 0o4000).toBe(0o4000);
});
