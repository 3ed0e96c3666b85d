import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { InterruptedError } from '../common/errors';

/** How to reach the guest's sshd through the 127.0.0.1 forward. */
export interface SshTarget {
  readonly exe: string;
  readonly privateKey: string;
  readonly port: number;
  readonly user: string;
}

export interface SshResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options that make ssh scriptable against a VM whose host key is new on every boot. */
export const SSH_OPTIONS = [
  '-o', 'BatchMode=yes',
  '-o', 'StrictHostKeyChecking=no',
  '-o', 'UserKnownHostsFile=/dev/null',
  '-o', 'LogLevel=ERROR',
  '-o', 'ConnectTimeout=30',
  '-o', 'IdentitiesOnly=yes',
];

/**
 * ssh joins the command words with spaces and the guest's shell splits them
 * again, so each word is quoted: `['sh', '-c', 'a && b']` runs as written.
 */
export function sshArgv(target: SshTarget, command: readonly string[], extraOptions: readonly string[] = []): string[] {
  return ['-i', target.privateKey, '-p', String(target.port), ...SSH_OPTIONS, ...extraOptions, `${target.user}@127.0.0.1`, ...command.map(shellQuote)];
}

/** The command a person pastes into a shell to log in. */
export function sshCommandLine(target: Omit<SshTarget, 'exe'>): string {
  return ['ssh', '-i', shellQuote(target.privateKey), '-p', String(target.port),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', `${target.user}@127.0.0.1`].join(' ');
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, '\'\\\'\'')}'`;
}

/** Runs ssh with an argv array; never throws on a non-zero exit (ssh says 255 for its own failures). */
export interface RunSshOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly extraOptions?: readonly string[];
}

export function runSsh(target: SshTarget, command: readonly string[], options: RunSshOptions = {}): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new InterruptedError('preview interrupted'));
    const child = spawn(target.exe, sshArgv(target, command, options.extraOptions), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('close', status => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * True when something answers on the port with an SSH banner. QEMU's user-mode
 * forward accepts every connection even before the guest listens, so an open
 * port alone proves nothing.
 */
export function sshBannerAnswers(port: number, timeoutMs = 5000): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (data.startsWith('SSH-')) done(true);
      else if (data.length >= 4) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/** `status: done` and friends from `cloud-init status`; `unknown` when the output has no status line. */
export function parseCloudInitStatus(stdout: string): string {
  const m = /^status:\s*(.+?)\s*$/m.exec(stdout);
  return m ? m[1] : 'unknown';
}

/** cloud-init's status words that end the wait, and whether they mean success. */
export function cloudInitFinished(status: string): { finished: boolean; ok: boolean } {
  if (status === 'done') return { finished: true, ok: true };
  if (/^(error|degraded done|degraded error|disabled)$/.test(status)) return { finished: true, ok: false };
  return { finished: false, ok: false };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new InterruptedError('preview interrupted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError('preview interrupted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface ReadyTimings {
  /** Seconds from QEMU's start until sshd sent its banner. */
  readonly sshdAnswering: number;
  /** ... until ssh logged in with the key. */
  readonly keyAccepted: number;
  /** ... until `cloud-init status --wait` returned. */
  readonly cloudInitDone: number;
}

export interface ReadyResult {
  readonly timings: ReadyTimings;
  /** `done`, `error`, `degraded done`, ... as cloud-init reports it. */
  readonly cloudInitStatus: string;
  /** `cloud-init status --long` output when the status is not done. */
  readonly cloudInitDetail?: string;
}

export interface WaitOptions {
  readonly startedAt: number;
  readonly deadline: number;
  readonly signal?: AbortSignal;
  readonly onStep: (message: string) => void;
  /** Why the VM is gone, when QEMU has exited; waiting stops then. */
  readonly vmGone: () => string | undefined;
}

/** Raised when the VM is not usable in time; run.ts adds the console tail. */
export class NotReadyError extends Error {}

/** Waits for sshd, then for the key to be accepted, then for cloud-init to finish. */
export async function waitUntilReady(target: SshTarget, opts: WaitOptions): Promise<ReadyResult> {
  const since = () => (Date.now() - opts.startedAt) / 1000;
  const check = (waitingFor: string, lastError?: string) => {
    const gone = opts.vmGone();
    if (gone) throw new NotReadyError(`the VM stopped before ${waitingFor}: ${gone}`);
    if (Date.now() > opts.deadline) {
      throw new NotReadyError(`timed out waiting for ${waitingFor}` + (lastError ? `; last ssh error: ${lastError.trim().split('\n').slice(-2).join(' | ')}` : ''));
    }
  };

  while (!(await sshBannerAnswers(target.port))) {
    check('sshd to answer on the forwarded port');
    await sleep(1000, opts.signal);
  }
  const sshdAnswering = since();
  opts.onStep(`sshd answering after ${sshdAnswering.toFixed(1)} s`);

  let lastError = '';
  for (;;) {
    const r = await runSsh(target, ['true'], { timeoutMs: 60_000, signal: opts.signal });
    if (r.status === 0) break;
    lastError = r.stderr || `ssh exit ${r.status}`;
    check(`ssh to accept the key as ${target.user} (cloud-init installs it from the config drive)`, lastError);
    await sleep(2000, opts.signal);
  }
  const keyAccepted = since();
  opts.onStep(`key accepted for ${target.user} after ${keyAccepted.toFixed(1)} s`);

  let status = 'unknown';
  for (;;) {
    const remainingMs = Math.max(opts.deadline - Date.now(), 1000);
    const r = await runSsh(target, ['cloud-init', 'status', '--wait'], { timeoutMs: remainingMs, signal: opts.signal });
    status = parseCloudInitStatus(r.stdout);
    if (r.status === 127 || /command not found/.test(r.stderr)) {
      throw new NotReadyError('the image has no cloud-init (cloud-init: command not found); install cloud-init in the Dockerfile');
    }
    if (cloudInitFinished(status).finished) break;
    // ssh itself failed (255), e.g. cloud-init restarted sshd while we waited: ask again.
    check(`cloud-init to finish (status: ${status})`, r.stderr);
    await sleep(2000, opts.signal);
  }
  const cloudInitDone = since();
  let detail: string | undefined;
  if (!cloudInitFinished(status).ok) {
    const long = await runSsh(target, ['cloud-init', 'status', '--long'], { timeoutMs: 60_000, signal: opts.signal });
    detail = (long.stdout + long.stderr).trim();
  }
  opts.onStep(`cloud-init ${status} after ${cloudInitDone.toFixed(1)} s`);
  return { timings: { sshdAnswering, keyAccepted, cloudInitDone }, cloudInitStatus: status, cloudInitDetail: detail };
}
