import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { findTool } from '../../../src/builder/common/tools';

/** Generous bounds: a loaded machine starts dockerd in seconds, never in minutes. */
const READY_TIMEOUT_MS = 120_000;
const LOAD_TIMEOUT_MS = 5 * 60_000;
const STOP_TIMEOUT_MS = 60_000;

/** A docker engine of its own, started by a test, standing in for one on another machine. */
export interface SecondEngine {
  /** `unix://…/docker.sock`, for DOCKER_HOST or `docker -H`. */
  readonly host: string;
  /** Runs `docker -H <host> ARGS` (the docker CLI on PATH). */
  docker(args: readonly string[], timeoutMs?: number): SpawnSyncReturns<string>;
  /** SIGTERM, a bounded wait, then SIGKILL; removes its directories. Safe to call twice. */
  stop(): Promise<void>;
}

export interface SecondEngineOptions {
  /** Directories the engine must not see (an empty tmpfs is mounted over each in its mount namespace). */
  readonly hide: readonly string[];
  /** Images of the main engine to copy into it (`docker save | docker -H … load`). */
  readonly images: readonly string[];
}

/**
 * Starts a second dockerd as root, with its own socket, --data-root, --exec-root,
 * --pidfile and config file, no bridge and no iptables rules (RUN steps get no network),
 * in network and mount namespaces of its own:
 * - network: dockerd 20.10 with `--bridge none` deletes the interface docker0 at start,
 *   which in the host's namespace is the main engine's bridge (its builds then fail with
 *   `could not find bridge docker0`);
 * - mount: `hide` (the test's files) and /run/containerd (a system containerd, which it
 *   would otherwise share) are empty there, so, like an engine on another machine, it
 *   gets the build context and gives the export only through the docker CLI's streams.
 * Its socket is a file, so it answers from the host's namespaces. Its directories are
 * under /var/tmp, never among the hidden ones in /tmp.
 */
export async function startSecondEngine(options: SecondEngineOptions): Promise<SecondEngine> {
  if (process.getuid?.() !== 0) throw new Error('the second docker engine needs root (dockerd runs as root here)');
  const dockerd = findTool('dockerd');
  if (!dockerd) throw new Error('dockerd not found; install it with: apt-get install docker.io');
  const dir = mkdtempSync('/var/tmp/cdvm-engine-');
  const hidden = [...options.hide, ...(existsSync('/run/containerd') ? ['/run/containerd'] : [])];
  for (const h of hidden) {
    if (dir.startsWith(path.resolve(h) + path.sep)) throw new Error(`the engine directory ${dir} is inside the hidden ${h}`);
  }
  const host = `unix://${path.join(dir, 'docker.sock')}`;
  const log = path.join(dir, 'dockerd.log');
  writeFileSync(path.join(dir, 'daemon.json'), '{}\n'); // not /etc/docker/daemon.json: its hosts or settings would clash
  const logFd = openSync(log, 'w');
  // `$1` is the number of directories to hide, then the directories, then dockerd's argv.
  const script = 'set -e; n=$1; shift; while [ "$n" -gt 0 ]; do mount -t tmpfs -o size=1m,mode=0755 cdvm-hidden "$1"; shift; n=$((n-1)); done; exec "$@"';
  const child = spawn('unshare', [
    '--mount', '--net', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', String(hidden.length), ...hidden,
    dockerd,
    '--config-file', path.join(dir, 'daemon.json'),
    '--host', host,
    '--data-root', path.join(dir, 'data'),
    '--exec-root', path.join(dir, 'exec'),
    '--pidfile', path.join(dir, 'docker.pid'),
    '--bridge', 'none', '--iptables=false', '--ip6tables=false',
  ], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  child.once('error', () => undefined); // an unshare that cannot start shows as exit, and in the log
  const docker = (args: readonly string[], timeoutMs = 120_000) =>
    spawnSync('docker', ['-H', host, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopProcess(child, exited);
    killSupervisedContainerd(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(host, child, log);
    for (const image of options.images) await copyImage(image, host);
    return { host, docker, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitUntilAnswering(host: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the second dockerd exited (${child.exitCode ?? child.signalCode}) before it answered:\n${tail(log)}`);
    }
    const r = await run('docker', ['-H', host, 'info', '--format', '{{.ServerVersion}}'], 30_000);
    if (r.status === 0) return;
    last = r.stderr.trim();
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(`the second dockerd did not answer on ${host} within ${READY_TIMEOUT_MS / 1000} s (${last}):\n${tail(log)}`);
}

/** `docker save IMAGE | docker -H HOST load`, bounded. */
async function copyImage(image: string, host: string): Promise<void> {
  const save = spawn('docker', ['save', '--', image], { stdio: ['ignore', 'pipe', 'pipe'] });
  const load = spawn('docker', ['-H', host, 'load'], { stdio: ['pipe', 'pipe', 'pipe'] });
  save.stdout.pipe(load.stdin);
  let stderr = '';
  for (const p of [save, load]) p.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  load.stdout.resume();
  const timer = setTimeout(() => { save.kill('SIGKILL'); load.kill('SIGKILL'); }, LOAD_TIMEOUT_MS);
  const status = (p: ChildProcess) => new Promise<number | null>(resolve => p.once('close', code => resolve(code)));
  const [saved, loaded] = await Promise.all([status(save), status(load)]);
  clearTimeout(timer);
  if (saved !== 0 || loaded !== 0) {
    throw new Error(`copying ${image} into the second engine failed (save ${saved}, load ${loaded}; ` +
      `limit ${LOAD_TIMEOUT_MS / 1000} s): ${stderr.trim()}; the main engine needs it (bash scripts/setup-host.sh makes debian:bookworm)`);
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const within = async (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>(r => { timer = setTimeout(() => r(false), ms); });
    try {
      return await Promise.race([exited.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  child.kill('SIGTERM');
  if (await within(STOP_TIMEOUT_MS)) return;
  child.kill('SIGKILL');
  await within(STOP_TIMEOUT_MS);
}

/**
 * dockerd stops the containerd it started when it exits cleanly; after a SIGKILL that
 * containerd may live on. Killed only when its command line names this engine's directory.
 */
function killSupervisedContainerd(dir: string): void {
  const pidFile = path.join(dir, 'exec', 'containerd', 'containerd.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ status: number | null; stderr: string }> {
  return new Promise(resolve => {
    const p = spawn(cmd, args as string[], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', e => { clearTimeout(timer); resolve({ status: null, stderr: e.message }); });
    p.once('close', code => { clearTimeout(timer); resolve({ status: code, stderr }); });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
