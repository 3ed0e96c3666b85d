import { ChildProcess, spawn, spawnSync } from 'node:child_process';

/** Runs a command, fails loudly on a non-zero exit, returns stdout and the wall time. */
export function sh(cmd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): { stdout: string; seconds: number } {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args as string[], { encoding: 'utf8', input: opts.input, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr ?? '').trim().slice(-2000)}`);
  return { stdout: r.stdout, seconds };
}

export function timed<T>(fn: () => T): { value: T; seconds: number } {
  const started = process.hrtime.bigint();
  const value = fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Allocated bytes under a path (du), 0 when it does not exist yet. */
export function allocatedBytes(p: string): number {
  const r = spawnSync('du', ['-s', '--block-size=1', p], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split('\t')[0]) : 0;
}

export interface PeakRun {
  readonly stdout: string;
  readonly seconds: number;
  /** Largest allocated size of the watched directory seen while the command ran. */
  readonly peakDiskBytes: number;
  /** Largest max-RSS of any process of the tree (GNU time %M). */
  readonly peakRssBytes: number;
}

/** Runs a command under GNU time while sampling the disk use of `watchDir` every 200 ms. */
export async function runWithPeaks(cmd: string, args: readonly string[], watchDir: string): Promise<PeakRun> {
  const started = process.hrtime.bigint();
  let peakDisk = 0;
  let sampling = false;
  const sampler = setInterval(() => {
    if (sampling) return;
    sampling = true;
    const du = spawn('du', ['-s', '--block-size=1', watchDir]);
    let out = '';
    du.stdout.on('data', d => { out += d; });
    du.on('close', () => {
      const n = Number(out.split('\t')[0]);
      if (Number.isFinite(n)) peakDisk = Math.max(peakDisk, n);
      sampling = false;
    });
  }, 200);
  const child: ChildProcess = spawn('/usr/bin/time', ['-f', 'BENCH_MAXRSS_KB=%M', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', d => { stdout += d; });
  child.stderr!.on('data', d => { stderr += d; });
  const code = await new Promise<number | null>(resolve => child.on('close', resolve));
  clearInterval(sampler);
  peakDisk = Math.max(peakDisk, allocatedBytes(watchDir));
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${stderr.trim().slice(-2000)}`);
  const rss = /BENCH_MAXRSS_KB=(\d+)/.exec(stderr);
  return {
    stdout, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakDiskBytes: peakDisk, peakRssBytes: rss ? Number(rss[1]) * 1024 : 0,
  };
}
