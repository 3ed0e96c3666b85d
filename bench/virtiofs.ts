/**
 * virtiofs root vs disk image, one run each on the same image (the debian-app
 * fixture with --profile digitalocean, built once into the shared cache):
 *   disk:     `build --output app.qcow2`, then `preview app.qcow2`
 *   virtiofs: `preview --virtiofs --dockerfile ...` (the cached rootfs, its cached export)
 * and in each guest `find / -xdev | wc -l` and a 200 MB `dd ... conv=fsync`,
 * timed inside the guest after dropping its page cache (median of 3). Prints a Markdown table.
 *
 *   npx ts-node --transpile-only --project test/tsconfig.json bench/virtiofs.ts
 *
 * Needs root (virtiofsd's namespace sandbox). Runs the CLI from src/ with ts-node.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const DOCKERFILE = path.join(REPO, 'test/integ/fixtures/debian-app/Dockerfile');
const CACHE = process.env.CDKTF_DOCKER_VM_VIRTIOFS_CACHE ?? path.join(os.tmpdir(), 'cdvm-virtiofs-cache');
/** Straight to TCG (KVM does not work here): both routes skip the same 20 s KVM probe. */
const CLI_ENV = { ...process.env, TS_NODE_PROJECT: path.join(REPO, 'test/tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1', CDKTF_DOCKER_VM_ACCEL: 'tcg' };
const READY_TIMEOUT_MS = 900_000;
/** Guest measurements per boot; the table shows the median. */
const SAMPLES = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

function cli(args: readonly string[]): string[] {
  return ['-r', 'ts-node/register', path.join(REPO, 'src/builder/cli.ts'), ...args];
}

function cliSync(args: readonly string[]): number {
  const started = Date.now();
  const r = spawnSync(process.execPath, cli(args), { encoding: 'utf8', env: CLI_ENV, cwd: REPO, timeout: 1_800_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`cdktf-docker-vm ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-3000)}`);
  return (Date.now() - started) / 1000;
}

interface Route {
  readonly name: string;
  /** Seconds from starting `preview` to the ssh line (SSH-ready, cloud-init finished). */
  readonly readySeconds: number;
  /** Seconds from starting `preview` to QEMU's start (the last boot, after any KVM try): cache lookups, checks, the rootfs copy. */
  readonly bootStartSeconds: number;
  readonly findSeconds: number;
  readonly findEntries: number;
  readonly ddSeconds: number;
}

/** Starts a preview, waits for its ssh line, runs the guest measurements, then Ctrl-C. */
async function measure(name: string, previewArgs: readonly string[]): Promise<Route> {
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, cli(['preview', ...previewArgs]), { env: CLI_ENV, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', d => { stdout += d; });
  let bootStartSeconds = NaN;
  child.stderr!.on('data', d => {
    stderr += d;
    if (/boot started/.test(String(d))) bootStartSeconds = (Date.now() - started) / 1000;
  });
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  try {
    const sshLine = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const line = stdout.split('\n').find(l => l.startsWith('ssh '));
        if (line) { clearInterval(timer); resolve(line); }
        if (child.exitCode !== null || Date.now() - started > READY_TIMEOUT_MS) { clearInterval(timer); reject(new Error(`${name}: preview not ready: ${stderr.slice(-3000)}`)); }
      }, 200);
    });
    const readySeconds = (Date.now() - started) / 1000;
    log(`${name}: ready after ${readySeconds.toFixed(1)} s`);
    const ssh = sshLine.split(' ').slice(1);
    const inGuest = (script: string): string => {
      const r = spawnSync('ssh', [...ssh, script], { encoding: 'utf8', timeout: 600_000 });
      if (r.status !== 0) throw new Error(`${name}: ${script} failed (${r.status}): ${r.stderr}`);
      return r.stdout.trim();
    };
    // Seconds measured in the guest, so ssh's own cost is left out.
    const timed = (command: string) => `sync; echo 3 > /proc/sys/vm/drop_caches; s=$(date +%s.%N); ${command}; e=$(date +%s.%N); awk "BEGIN{print $e - $s}" >&2`;
    const lastNumber = (out: string) => Number(out.trim().split('\n').at(-1));
    const runTimed = (command: string): { seconds: number; stdout: string } => {
      const r = spawnSync('ssh', [...ssh, timed(command)], { encoding: 'utf8', timeout: 600_000 });
      if (r.status !== 0) throw new Error(`${name}: ${command} failed (${r.status}): ${r.stderr}`);
      return { seconds: lastNumber(r.stderr), stdout: r.stdout.trim() };
    };
    const finds: number[] = [];
    const dds: number[] = [];
    let findEntries = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const find = runTimed('find / -xdev | wc -l');
      finds.push(find.seconds);
      findEntries = Number(find.stdout);
      dds.push(runTimed('dd if=/dev/zero of=/root/f bs=1M count=200 conv=fsync 2>/dev/null').seconds);
      inGuest('rm -f /root/f');
    }
    log(`${name}: find ${finds.join(' ')} s; dd ${dds.join(' ')} s`);
    const findSeconds = median(finds);
    const ddSeconds = median(dds);
    return { name, readySeconds, bootStartSeconds, findSeconds, findEntries, ddSeconds };
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-bench-virtiofs-'));
  try {
    const key = path.join(work, 'id_ed25519');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const common = ['--ssh-key', `${key}.pub`, '--cache-dir', CACHE, '--timeout', '900'];
    const image = path.join(work, 'app.qcow2');
    log('building the qcow2 (the rootfs stage from the cache when there)');
    const buildSeconds = cliSync(['build', '--dockerfile', DOCKERFILE, '--profile', 'digitalocean', '--output', image, '--cache-dir', CACHE, '--quiet']);
    log(`build took ${buildSeconds.toFixed(1)} s`);
    const disk = await measure('disk (qcow2)', [image, ...common]);
    const virtiofs = await measure('virtiofs', ['--virtiofs', '--dockerfile', DOCKERFILE, ...common]);
    const load = os.loadavg().map(l => l.toFixed(2)).join(' ');
    const rows = [
      '| route | command to SSH-ready (s) | of which before QEMU starts (s) | `find / -xdev \\| wc -l` (s) | entries | 200 MB dd conv=fsync (s) |',
      '|---|---|---|---|---|---|',
      ...[disk, virtiofs].map(r => `| ${r.name} | ${r.readySeconds.toFixed(1)} | ${r.bootStartSeconds.toFixed(1)} | ${r.findSeconds.toFixed(2)} | ${r.findEntries} | ${r.ddSeconds.toFixed(2)} |`),
    ];
    process.stdout.write(`${rows.join('\n')}\n\n` +
      `disk route: \`build\` to qcow2 took ${buildSeconds.toFixed(1)} s before its preview (rootfs stage cached).\n` +
      `load average at the end: ${load} (${os.cpus().length} cores); accelerator: tcg\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch(e => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
