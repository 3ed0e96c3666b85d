import { spawn } from 'node:child_process';
import { accessSync, constants, openSync, closeSync } from 'node:fs';
import * as path from 'node:path';
import { InterruptedError, ToolFailedError, ToolMissingError } from './errors';

/** One external command: an argv array, never a shell string. */
export interface ToolCall {
  readonly tool: string;
  readonly args: readonly string[];
  /** Write the tool's stdout to this file instead of capturing it. */
  readonly stdoutFile?: string;
  /** Hint appended to the error when the tool fails. */
  readonly failureHint?: string;
}

/** Debian package that provides each host tool, for "install it with" hints. */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  'docker': 'docker.io',
  'mke2fs': 'e2fsprogs',
  'debugfs': 'e2fsprogs',
  'e2fsck': 'e2fsprogs',
  'mkfs.xfs': 'xfsprogs',
  'xfs_db': 'xfsprogs',
  'dd': 'coreutils',
  'fallocate': 'util-linux',
  'filefrag': 'e2fsprogs',
  'sfdisk': 'fdisk',
  'mcopy': 'mtools',
  'mmd': 'mtools',
  'mdir': 'mtools',
  'mkfs.fat': 'dosfstools',
  'syslinux': 'syslinux',
  'qemu-img': 'qemu-utils',
  'qemu-system-x86_64': 'qemu-system-x86',
  'gzip': 'gzip',
  'pigz': 'pigz',
  'libdeflate-gzip': 'libdeflate-tools',
  'bzip2': 'bzip2',
  'cp': 'coreutils',
  'truncate': 'coreutils',
  'genisoimage': 'genisoimage',
  'ssh': 'openssh-client',
  'ssh-keygen': 'openssh-client',
};

const PACKAGE_NOTES: Readonly<Record<string, string>> = {
  e2fsprogs: ' (1.47.1 or later; on Debian 12: apt-get install -t bookworm-backports e2fsprogs)',
};

export function installHint(tool: string): string {
  const pkg = TOOL_PACKAGES[tool];
  if (!pkg) return `install ${tool} and make sure it is on PATH`;
  return `install it with: apt-get install ${pkg}${PACKAGE_NOTES[pkg] ?? ''}`;
}

const SEARCH_DIRS_EXTRA = ['/usr/sbin', '/sbin'];

/** Absolute path of a tool on PATH (plus sbin, where Debian keeps mke2fs), or undefined. */
export function findTool(tool: string, envPath = process.env.PATH ?? ''): string | undefined {
  if (tool.includes('/')) return isExecutable(tool) ? tool : undefined;
  const dirs = [...envPath.split(path.delimiter).filter(Boolean), ...SEARCH_DIRS_EXTRA];
  for (const dir of dirs) {
    const candidate = path.join(dir, tool);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface RunOptions {
  /** Called with each stderr line (tools' progress); default: kept for errors only. */
  readonly onStderrLine?: (line: string) => void;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string | Buffer;
  /** Treat stdout like stderr: shown as progress and kept for the error (docker build writes its steps there). */
  readonly stdoutIsLog?: boolean;
  /** A cleanup call (e.g. removing a container): runs even after an abort, and the abort does not kill it. */
  readonly cleanup?: boolean;
  /** Keep stdout as bytes only (`stdoutBytes`; `stdout` is empty): compressed data is not text. */
  readonly binaryStdout?: boolean;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as the tool wrote it, with RunOptions.binaryStdout. */
  readonly stdoutBytes?: Buffer;
}

const STDERR_TAIL_LINES = 20;

/**
 * Spawns host tools from argv arrays, captures stderr for errors, honours a
 * timeout and an abort signal (SIGINT/SIGTERM of the builder), and turns
 * "not installed" into an error naming the Debian package.
 */
export class ToolRunner {
  private readonly resolved = new Map<string, string>();

  constructor(private readonly signal?: AbortSignal) {}

  /** Fails with ToolMissingError naming the package for the first missing tool. */
  public require(tools: Iterable<string>): void {
    for (const tool of tools) this.resolve(tool);
  }

  public resolve(tool: string): string {
    const cached = this.resolved.get(tool);
    if (cached) return cached;
    const found = findTool(tool);
    if (!found) throw new ToolMissingError(`${tool} not found on PATH; ${installHint(tool)}`);
    this.resolved.set(tool, found);
    return found;
  }

  public async run(call: ToolCall, options: RunOptions = {}): Promise<RunResult> {
    const exe = this.resolve(call.tool);
    const signal = options.cleanup ? undefined : this.signal;
    if (signal?.aborted) throw new InterruptedError('build interrupted');
    const stdoutFd = call.stdoutFile ? openSync(call.stdoutFile, 'w') : undefined;
    try {
      return await new Promise<RunResult>((resolve, reject) => {
        const child = spawn(exe, call.args as string[], {
          stdio: [options.input === undefined ? 'ignore' : 'pipe', stdoutFd ?? 'pipe', 'pipe'],
          env: options.env ?? process.env,
        });
        const stdout: Buffer[] = [];
        let stderr = '';
        let partial = '';
        const onLog = (d: Buffer) => {
          const text = d.toString('utf8');
          stderr = (stderr + text).slice(-64 * 1024);
          if (options.onStderrLine) {
            const lines = (partial + text).split(/\r?\n|\r/);
            partial = lines.pop() ?? '';
            for (const line of lines) if (line.trim()) options.onStderrLine(line);
          }
        };
        child.stdout?.on('data', options.stdoutIsLog ? onLog : (d: Buffer) => stdout.push(d));
        child.stderr!.on('data', onLog);
        if (options.input !== undefined) {
          // a tool that exits early closes its stdin; its exit code, not EPIPE, is the error to report
          child.stdin!.on('error', () => undefined);
          child.stdin!.end(options.input);
        }
        let timedOut = false;
        const timer = options.timeoutMs ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, options.timeoutMs) : undefined;
        const onAbort = () => child.kill('SIGTERM');
        signal?.addEventListener('abort', onAbort, { once: true });
        child.on('error', err => reject(err));
        child.on('close', (code, sig) => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (partial.trim() && options.onStderrLine) options.onStderrLine(partial);
          if (signal?.aborted) return reject(new InterruptedError(`build interrupted while running ${call.tool}`));
          if (code === 0) {
            const bytes = Buffer.concat(stdout);
            return resolve(options.binaryStdout ? { stdout: '', stderr, stdoutBytes: bytes } : { stdout: bytes.toString('utf8'), stderr });
          }
          const tail = stderr.trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
          const hint = timedOut ? `${call.tool} did not finish within ${Math.round(options.timeoutMs! / 1000)} s` : call.failureHint;
          reject(new ToolFailedError(call.tool, call.args, sig ? null : code, tail, hint));
        });
      });
    } finally {
      if (stdoutFd !== undefined) closeSync(stdoutFd);
    }
  }
}
