import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { mustRun } from './consumer-app';

/**
 * Installs Node `major` from the npm registry (the `node` package) into
 * `dir` and returns the directory holding its `node` binary, to put first on
 * PATH. Throws naming the version when the install fails.
 */
export function installNode(major: number, dir: string): string {
  const root = path.join(dir, `node${major}`);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: `node${major}-runtime`, version: '1.0.0', private: true }));
  mustRun('npm', ['install', '--no-audit', '--no-fund', `node@${major}`], { cwd: root, timeoutMs: 600_000 });
  const bin = path.join(root, 'node_modules', 'node', 'bin');
  if (!existsSync(path.join(bin, 'node'))) throw new Error(`npm install node@${major} left no ${bin}/node`);
  return bin;
}

/** The environment that runs `node` (and npx, which runs under it) from `bin` first. */
export function withNode(bin: string): NodeJS.ProcessEnv {
  return { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
}

/** The major version of the `node` that `env` puts first on PATH. */
export function nodeMajor(env: NodeJS.ProcessEnv): number {
  const r = spawnSync('node', ['-p', 'process.versions.node'], { encoding: 'utf8', env: { ...process.env, ...env } });
  return Number(r.stdout.trim().split('.')[0]);
}
