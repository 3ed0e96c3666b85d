import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO } from './builder';

export interface CommandRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command and throws with its output unless it exits 0. */
export function mustRun(cmd: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): CommandRun {
  const r = spawnSync(cmd, [...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 900_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')} did not finish: ${r.error.message}\n${r.stdout}\n${r.stderr}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `npm pack` of this repository (lib/ must be compiled); returns the tarball's path. */
export function packRepository(destination: string): string {
  const r = mustRun('npm', ['pack', '--json', '--pack-destination', destination], { cwd: REPO, timeoutMs: 300_000 });
  const [packed] = JSON.parse(r.stdout) as { filename: string }[];
  return path.join(destination, packed.filename);
}

/** The version of a package in this repository's package.json, so the app installs what the library is tested with. */
export function repoVersionOf(name: string): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const version = pkg.devDependencies?.[name] ?? pkg.dependencies?.[name] ?? pkg.peerDependencies?.[name];
  if (!version) throw new Error(`${name} is not in package.json`);
  return version;
}

/** The tsconfig.json of a consumer app (ts-node type-checks main.ts against the installed package's .d.ts). */
export const APP_TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, skipLibCheck: true },
};

/**
 * A fresh TypeScript cdktf app directory, as `cdktf init` would leave it,
 * with only the packages a user installs: the packed tarball, the framework,
 * constructs and the prebuilt provider, plus the CLI, ts-node and TypeScript.
 */
export function createConsumerApp(dir: string, tarball: string): void {
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: 'consumer-app',
    version: '1.0.0',
    private: true,
    dependencies: {
      'cdktf-docker-vm': `file:${tarball}`,
      'cdktf': repoVersionOf('cdktf'),
      'constructs': repoVersionOf('constructs'),
      '@cdktf/provider-digitalocean': repoVersionOf('@cdktf/provider-digitalocean'),
    },
    devDependencies: {
      'cdktf-cli': repoVersionOf('cdktf-cli'),
      'ts-node': repoVersionOf('ts-node'),
      'typescript': repoVersionOf('typescript'),
      '@types/node': repoVersionOf('@types/node'),
    },
  };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(APP_TSCONFIG, null, 2));
  mustRun('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, timeoutMs: 1_200_000 });
}

/** A cdktf project in `dir` whose app is `main.ts`, run by ts-node with type checking (as `cdktf init` sets it up). */
export function writeCdktfProject(dir: string, mainTs: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'main.ts'), mainTs);
  writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'npx ts-node main.ts', terraformProviders: [] }, null, 2));
}

/** The ```ts blocks of a section of README.md (from its `## heading` to the next one), in order. */
export function readmeTypeScriptBlocks(heading: string): string[] {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "## ${heading}"`);
  const next = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
}

/** `qemu-img info` of the image a stack's `image_path` output names, after an apply. */
export function appliedImageInfo(tf: { ok(args: readonly string[]): string }): { format: string; virtualSize: number } {
  const imagePath = JSON.parse(tf.ok(['output', '-json', 'image_path'])) as string;
  const r = mustRun('qemu-img', ['info', '--output=json', imagePath], { cwd: path.dirname(imagePath) });
  const info = JSON.parse(r.stdout) as { 'format': string; 'virtual-size': number };
  return { format: info.format, virtualSize: info['virtual-size'] };
}

/**
 * examples/<name> copied into `dest` as a project of its own (main.ts, its app
 * directory, cdktf.json), importing the library by its package name instead of
 * the repository's src/; `rewrite` adapts main.ts further (another framework).
 */
export function copyExample(name: string, dest: string, library: string, rewrite: (main: string) => string = m => m): void {
  const example = path.join(REPO, 'examples', name);
  const main = readFileSync(path.join(example, 'main.ts'), 'utf8').replace(/from '\.\.\/\.\.\/src'/g, `from '${library}'`);
  writeCdktfProject(dest, rewrite(main));
  cpSync(path.join(example, 'app'), path.join(dest, 'app'), { recursive: true });
}
