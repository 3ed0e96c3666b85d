import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConsoleCleaner, lastLines } from './console';
import { BuilderError } from '../common/errors';

export type Accelerator = 'kvm' | 'tcg';

/** QEMU's stderr when KVM is present but does not work. */
export const KVM_ERROR = /KVM internal error|failed to initialize kvm|Could not access KVM[^\n]*/i;

/** How long QEMU may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 5000;
/** What is kept of QEMU's stderr: plenty for its last lines and a KVM error. */
const STDERR_KEPT_CHARS = 16 * 1024;

export function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return process.env.CDKTF_DOCKER_VM_ACCEL !== 'tcg';
  } catch {
    return false;
  }
}

/** How to boot: QEMU's argv, and what "up" means. */
export interface QemuBoot<T> {
  readonly argv: (accelerator: Accelerator) => readonly string[];
  /** Waits until the VM is up, e.g. with waitFor; it must fail once QEMU is gone (see exitReason). */
  readonly ready: (accelerator: Accelerator) => Promise<T>;
  /** Called with cleaned console text as it arrives. */
  readonly onConsole?: (text: string) => void;
  /**
   * Under KVM, this long without console output counts as KVM not working: where /dev/kvm
   * exists but does not work, QEMU may hang without a word instead of reporting a KVM error.
   */
  readonly kvmSilenceMs?: number;
  /** A clearer exit reason for a known failure, from the last 3 lines of QEMU's stderr (joined with ` | `). */
  readonly explainExit?: (stderrTail: string) => string | undefined;
  /** Called when KVM did not work, after that QEMU is gone and before QEMU starts again under TCG. */
  readonly beforeTcg?: (why: string) => void | Promise<void>;
  /** @default kvmUsable() */
  readonly tryKvm?: boolean;
}

/**
 * One QEMU VM: starts it from an argv (under KVM when usable, again under TCG when KVM
 * turns out not to work), watches its serial console on stdout, and stops it for certain.
 * Its temp dir (`dir`) holds the files made for the VM; close() stops QEMU and removes it.
 */
export class QemuProcess {
  public readonly dir: string;
  private run: Run | undefined;
  private readonly onNodeExit: () => void;

  /** `exe` is the resolved qemu-system-x86_64; `tempPrefix` names the temp dir. */
  constructor(private readonly exe: string, tempPrefix: string) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), tempPrefix));
    // At exit Node runs no more async code: kill and remove synchronously, so even process.exit() leaves nothing behind.
    this.onNodeExit = () => {
      this.run?.kill('SIGKILL');
      rmSync(this.dir, { recursive: true, force: true });
    };
    process.once('exit', this.onNodeExit);
  }

  /**
   * Starts QEMU and resolves with what `plan.ready` gives. When KVM fails (QEMU's KVM error,
   * or silence for `kvmSilenceMs`), that QEMU is killed and the boot starts again under TCG.
   */
  public async boot<T>(plan: QemuBoot<T>): Promise<T> {
    if (this.run && !this.run.closed) throw new Error('QEMU is already running; stop() it first');
    const first: Accelerator = (plan.tryKvm ?? kvmUsable()) ? 'kvm' : 'tcg';
    this.run = new Run(this.exe, first, plan);
    try {
      return await plan.ready(first);
    } catch (e) {
      const why = this.run.kvmFailure;
      if (!why) throw e;
      await this.stop();
      await plan.beforeTcg?.(why);
      this.run = new Run(this.exe, 'tcg', plan);
      return plan.ready('tcg');
    }
  }

  public get accelerator(): Accelerator {
    return this.started.accelerator;
  }

  /** When the running QEMU was started (ms since the epoch). */
  public get startedAt(): number {
    return this.started.startedAt;
  }

  /** The cleaned console text of the running (or last) QEMU. */
  public get console(): string {
    return this.run?.text ?? '';
  }

  /** Why QEMU is gone (`stopped` once stop() began); undefined while it runs. */
  public get exitReason(): string | undefined {
    return this.run?.reason;
  }

  /** Settles with the exit reason when the running QEMU is gone. */
  public get exited(): Promise<string> {
    return this.started.gone;
  }

  /**
   * Resolves once the console matches `pattern`. Fails when QEMU is gone first or after
   * `timeoutSeconds` (both with the last console lines), or on abort.
   */
  public waitFor(pattern: RegExp, timeoutSeconds: number, signal?: AbortSignal): Promise<void> {
    const run = this.started;
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        unwatch();
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        if (pattern.test(run.text)) return finish();
        if (run.startError) return finish(run.startError);
        if (!run.closed) return;
        const stderr = run.stderrTail(5);
        finish(new BuilderError(`QEMU exited (${run.exitCode}) before ${pattern} showed${stderr ? `: ${stderr}` : ''}; last console lines:\n${lastLines(run.text, 15)}`));
      };
      const timer = setTimeout(() => finish(new BuilderError(
        `the VM did not reach ${pattern} within ${timeoutSeconds} s; last console lines:\n${lastLines(run.text, 15)}`,
      )), timeoutSeconds * 1000);
      const onAbort = () => finish(new BuilderError('boot interrupted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const unwatch = run.watch(check);
      if (signal?.aborted) onAbort();
      else check();
    });
  }

  /** SIGTERM, SIGKILL after STOP_GRACE_MS; resolves when QEMU is gone. */
  public async stop(): Promise<void> {
    await this.run?.stop();
  }

  /** Stops QEMU and removes the temp dir. */
  public async close(): Promise<void> {
    await this.stop();
    process.off('exit', this.onNodeExit);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get started(): Run {
    if (!this.run) throw new Error('QEMU has not been started; call boot() first');
    return this.run;
  }
}

/** One QEMU child process: its console, its stderr, and why it is gone. */
class Run {
  public readonly startedAt = Date.now();
  public readonly gone: Promise<string>;
  public kvmFailure: string | undefined;
  /** Why spawn failed (e.g. ENOENT); the process never ran. */
  public startError: Error | undefined;
  public reason: string | undefined;
  public exitCode: number | null = null;
  /** stdout and stderr are read to the end and the process has exited. */
  public closed = false;
  private stderr = '';
  private readonly cleaner = new ConsoleCleaner();
  private readonly watchers = new Set<() => void>();
  private readonly child: ChildProcess;

  constructor(exe: string, public readonly accelerator: Accelerator, plan: QemuBoot<unknown>) {
    this.child = spawn(exe, [...plan.argv(accelerator)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const silenceMs = accelerator === 'kvm' ? plan.kvmSilenceMs : undefined;
    const silence = silenceMs === undefined ? undefined
      : setTimeout(() => this.kvmFailed(`no console output within ${silenceMs / 1000} s`), silenceMs);
    this.child.stdout!.on('data', (d: Buffer) => {
      clearTimeout(silence);
      const added = this.cleaner.push(d);
      if (!added) return;
      plan.onConsole?.(added);
      this.notify();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-STDERR_KEPT_CHARS);
      const kvm = accelerator === 'kvm' ? KVM_ERROR.exec(this.stderr) : null;
      if (kvm && !this.kvmFailure) this.kvmFailed(kvm[0]);
    });
    this.gone = new Promise(resolve => {
      const end = (why: () => string) => {
        if (this.closed) return;
        this.closed = true;
        clearTimeout(silence);
        this.reason ??= why();
        resolve(this.reason);
        this.notify();
      };
      this.child.on('error', e => {
        if (this.child.pid !== undefined) return; // a failed kill(): the process runs on
        this.startError = e;
        end(() => `QEMU did not start: ${e.message}`);
      });
      // 'close', not 'exit': the console and stderr are read to the end by then.
      this.child.on('close', (code, signal) => {
        this.exitCode = code;
        const tail = this.stderrTail(3);
        end(() => plan.explainExit?.(tail) ?? `QEMU exited (${signal ?? code})${tail ? `: ${tail}` : ''}`);
      });
    });
  }

  public get text(): string {
    return this.cleaner.text;
  }

  public stderrTail(lines: number): string {
    return this.stderr.trim().split('\n').slice(-lines).join(' | ');
  }

  /** Calls `check` after new console text and once the process is gone; returns the unsubscribe. */
  public watch(check: () => void): () => void {
    this.watchers.add(check);
    return () => this.watchers.delete(check);
  }

  public kill(signal: NodeJS.Signals): void {
    if (!this.closed && this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  public async stop(): Promise<void> {
    if (this.closed) return;
    this.reason ??= 'stopped';
    this.kill('SIGTERM');
    const force = setTimeout(() => this.kill('SIGKILL'), STOP_GRACE_MS);
    await this.gone;
    clearTimeout(force);
  }

  private kvmFailed(why: string): void {
    this.kvmFailure = why;
    this.kill('SIGKILL');
  }

  private notify(): void {
    for (const check of [...this.watchers]) check();
  }
}
