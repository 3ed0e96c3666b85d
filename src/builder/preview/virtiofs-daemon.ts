import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { C_VIRTIOFSD, planVirtiofsd } from './virtiofs';
import { BuilderError, SpecError } from '../common/errors';
import { findTool } from '../common/tools';

/** How long virtiofsd may take to create its socket on a busy machine. */
const SOCKET_WAIT_MS = 30_000;

/** The virtiofsd to run: $CDKTF_DOCKER_VM_VIRTIOFSD, a `virtiofsd` on PATH (the Rust one), else QEMU 7.2's C daemon. */
export function findVirtiofsd(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env.CDKTF_DOCKER_VM_VIRTIOFSD;
  if (chosen) {
    if (!findTool(chosen)) throw new SpecError(`CDKTF_DOCKER_VM_VIRTIOFSD=${chosen} is not an executable; point it at virtiofsd or unset it`);
    return chosen;
  }
  const found = findTool('virtiofsd') ?? findTool(C_VIRTIOFSD) ?? findTool('/usr/libexec/virtiofsd');
  if (!found) throw new SpecError('--virtiofs needs virtiofsd; on Debian 12 install it with: apt-get install qemu-system-common (it ships /usr/lib/qemu/virtiofsd)');
  return found;
}

/**
 * QEMU 7.2's C virtiofsd drops its supplementary groups with setgroups() at
 * start, which a user namespace made by an ordinary user forbids (checked on
 * Debian 12: "setgroups() failed with error=1"). So without root it cannot
 * run at all; the Rust virtiofsd (not packaged in bookworm) can.
 */
export function requireUsableVirtiofsd(exe: string, root: boolean): void {
  if (root || !isCDaemon(exe)) return;
  throw new SpecError(`--virtiofs needs root with ${exe} (QEMU 7.2's C virtiofsd cannot start in an ordinary user's namespace: setgroups is not permitted); ` +
    'run it as root, or install the Rust virtiofsd and point CDKTF_DOCKER_VM_VIRTIOFSD at it, or boot a disk instead: cdktf-docker-vm build ... --output vm.qcow2, then preview vm.qcow2');
}

function isCDaemon(exe: string): boolean {
  try {
    return realpathSync(exe) === realpathSync(C_VIRTIOFSD);
  } catch {
    return exe === C_VIRTIOFSD;
  }
}

/** A running virtiofsd serving one directory on one socket; it exits by itself when QEMU disconnects. */
export class VirtiofsDaemon {
  private child: ChildProcess | undefined;
  private stderr = '';
  private exit: string | undefined;
  private readonly onNodeExit: () => void;

  constructor(private readonly exe: string, private readonly source: string, public readonly socket: string, private readonly root: boolean) {
    // At exit Node runs no more async code: kill synchronously
    this.onNodeExit = () => { this.child?.kill('SIGKILL'); };
  }

  /** Starts virtiofsd and resolves once its socket exists. */
  public async start(): Promise<void> {
    await this.stop();
    this.stderr = '';
    this.exit = undefined;
    const call = planVirtiofsd({ exe: this.exe, source: this.source, socket: this.socket, root: this.root });
    const child = spawn(call.tool, [...call.args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    process.once('exit', this.onNodeExit);
    child.stderr!.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-8192); });
    child.on('error', e => { this.exit = `could not start: ${e.message}`; });
    child.on('exit', (code, sig) => { this.exit = sig ? `killed by ${sig}` : `exit code ${code}`; });
    const deadline = Date.now() + SOCKET_WAIT_MS;
    while (!existsSync(this.socket)) {
      if (this.exit) throw new BuilderError(`virtiofsd (${this.exe}) stopped before serving ${this.source} (${this.exit}): ${this.stderrTail()}`);
      if (Date.now() > deadline) throw new BuilderError(`virtiofsd made no socket ${this.socket} within ${SOCKET_WAIT_MS / 1000} s: ${this.stderrTail()}`);
      await new Promise(r => setTimeout(r, 100));
    }
  }

  public stderrTail(): string {
    return this.stderr.trim().split('\n').slice(-5).join(' | ') || '(no output)';
  }

  /** Stops virtiofsd (SIGTERM, then SIGKILL after 5 s) if it still runs. */
  public async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    process.removeListener('exit', this.onNodeExit);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>(resolve => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      child.kill('SIGTERM');
    });
  }
}
