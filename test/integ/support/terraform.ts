import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface TerraformRun {
  readonly status: number | null;
  /** stdout and stderr, as terraform writes them (no colour). */
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs real Terraform in a synthesized stack directory, offline and without
 * prompts, with an empty CLI configuration of its own (so the host's
 * ~/.terraformrc, plugin cache or mirrors play no part). `env` is added to the
 * environment and reaches the local-exec provisioners.
 */
export class Terraform {
  private readonly cliConfig: string;

  constructor(private readonly stackDir: string, private readonly env: NodeJS.ProcessEnv = {}) {
    this.cliConfig = path.join(stackDir, '..', 'terraformrc');
    writeFileSync(this.cliConfig, '');
    const version = spawnSync('terraform', ['version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0) {
      throw new Error('terraform is not on PATH: install Terraform >= 1.4 (https://developer.hashicorp.com/terraform/install) '
        + `or OpenTofu; ${version.error?.message ?? version.stderr}`);
    }
  }

  public run(args: readonly string[], timeoutMs = 600_000): TerraformRun {
    const r = spawnSync('terraform', [...args], {
      cwd: this.stackDir,
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...this.baseEnv(), ...this.env },
    });
    if (r.error) throw new Error(`terraform ${args.join(' ')} did not finish: ${r.error.message}\n${r.stdout}\n${r.stderr}`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * Like run, without blocking the event loop: for tests whose servers (a
   * Spaces model, an API stub) live in the test process and must answer while
   * Terraform runs.
   */
  public runAsync(args: readonly string[], timeoutMs = 600_000): Promise<TerraformRun> {
    return this.start(args, timeoutMs).done;
  }

  /** Starts terraform; `child` is there to signal it (e.g. SIGINT, as Ctrl-C does). */
  public start(args: readonly string[], timeoutMs = 600_000): { child: ChildProcess; done: Promise<TerraformRun> } {
    const child = spawn('terraform', [...args], { cwd: this.stackDir, env: { ...process.env, ...this.baseEnv(), ...this.env } });
    const done = new Promise<TerraformRun>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', c => { stdout += c; });
      child.stderr.on('data', c => { stderr += c; });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', e => {
        clearTimeout(timer);
        reject(new Error(`terraform ${args.join(' ')} did not start: ${e.message}`));
      });
      child.on('close', status => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
    return { child, done };
  }

  /** Runs terraform and throws with its output unless it exits 0. */
  public ok(args: readonly string[], timeoutMs?: number): string {
    const r = this.run(args, timeoutMs);
    if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  public init(): string {
    return this.ok(['init', '-no-color', '-input=false'], 180_000);
  }

  public apply(): string {
    return this.ok(['apply', '-no-color', '-input=false', '-auto-approve'], 600_000);
  }

  public plan(): string {
    return this.ok(['plan', '-no-color', '-input=false'], 180_000);
  }

  private baseEnv(): NodeJS.ProcessEnv {
    return { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: this.cliConfig };
  }

  /** `plan -detailed-exitcode`: 0 no changes, 2 changes, 1 error. */
  public planExitCode(): TerraformRun {
    return this.run(['plan', '-no-color', '-input=false', '-detailed-exitcode'], 180_000);
  }
}

/**
 * The block of `terraform plan` text that describes one resource, from its
 * `# address ...` heading to the next heading or the plan summary.
 */
export function planBlock(plan: string, address: string): string | undefined {
  const lines = plan.split('\n');
  const start = lines.findIndex(l => l.trim().startsWith(`# ${address} `));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !/^\s*# \S+ /.test(lines[end]) && !/^Plan: /.test(lines[end])) end++;
  return lines.slice(start, end).join('\n');
}
