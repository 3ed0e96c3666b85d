import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { StageCache } from '../../../src/builder/common/cache';
import { Progress } from '../../../src/builder/common/progress';
import { ToolRunner } from '../../../src/builder/common/tools';
import { BuildResult, buildStage, newBuildContext } from '../../../src/builder/pipeline';
import { StageSpec } from '../../../src/builder/spec';

export const REPO = path.resolve(__dirname, '../../..');
export const CLI = path.join(REPO, 'lib/builder/cli.js');
export const DEBIAN_FIXTURE = path.join(REPO, 'test/integ/fixtures/debian-vm');
export const TEST_USER = 'cdvm-test';

/** Runs the builder in this process with a fresh Progress; returns the result and the progress lines. */
export async function buildQuietly(spec: StageSpec, cacheDir: string, baseDir = REPO): Promise<{ result: BuildResult; log: string[] }> {
  const log: string[] = [];
  const progress = new Progress(line => log.push(line));
  const result = await buildStage(spec, newBuildContext(new StageCache(cacheDir), new ToolRunner(), progress, baseDir));
  return { result, log };
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled CLI (npm test compiles first), optionally as another user. */
export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; user?: string; timeoutMs?: number } = {}): CliRun {
  const argv = [process.execPath, CLI, ...args];
  const [cmd, ...rest] = options.user ? ['runuser', '-u', options.user, '--', ...argv] : argv;
  const r: SpawnSyncReturns<string> = spawnSync(cmd, rest, {
    encoding: 'utf8', env: options.env ?? process.env, timeout: options.timeoutMs ?? 600_000, cwd: REPO,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An ordinary user in the docker group, for the rootless test (made once; root only). */
export function ensureTestUser(): void {
  if (spawnSync('id', ['-u', TEST_USER]).status === 0) return;
  const r = spawnSync('useradd', ['--create-home', '--groups', 'docker', '--shell', '/bin/sh', TEST_USER], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot create test user ${TEST_USER}: ${r.stderr}`);
}

/** Entries of a stage in a cache directory, and leftovers in its temp dir. */
export function cacheState(cacheDir: string): { entries: Record<string, string[]>; tmp: string[] } {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
  const entries: Record<string, string[]> = {};
  for (const stage of ['rootfs', 'disk', 'bootloader', 'convert']) entries[stage] = list(path.join(cacheDir, stage));
  return { entries, tmp: list(path.join(cacheDir, 'tmp')) };
}

/**
 * The Debian fixture's rootfs tar, built once into a scratch cache and copied
 * to WORK/fixed.tar, so that several builds from it see the same input.
 */
export async function fixtureRootfsTar(work: string): Promise<string> {
  const cacheDir = path.join(work, 'cache-fixture');
  const { result } = await buildQuietly(
    { stage: 'rootfs', source: { kind: 'dockerfile', contextDir: DEBIAN_FIXTURE, dockerfile: 'Dockerfile', buildArgs: {} } },
    cacheDir,
  );
  const tar = path.join(work, 'fixed.tar');
  copyFileSync(result.artifactPath, tar);
  rmSync(cacheDir, { recursive: true, force: true });
  return tar;
}
