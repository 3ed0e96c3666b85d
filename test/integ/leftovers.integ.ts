/**
 * What a killed builder leaves on the docker engine is removed by the next
 * build, found by this tool's label, never by name; a concurrent build's and
 * the user's containers stay. And a Ctrl-C while `docker create` is still at
 * work in the daemon leaves no container behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, REPO, runCli } from './support/builder';
import { TEMPORARY_LABEL } from '../../src/builder/rootfs/docker-leftovers';
import { SPEC_FILE_VERSION } from '../../src/builder/spec';

const BASE = 'debian:bookworm';
let work: string;
const made: string[] = [];

function docker(...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function containerExists(id: string): boolean {
  return spawnSync('docker', ['container', 'inspect', id]).status === 0;
}

function deadPid(): number {
  const child = spawnSync('true');
  return child.pid!;
}

/** A rootfs-only spec of an image source: the cheapest build that uses docker. */
function rootfsSpec(name: string): string {
  const file = path.join(work, `${name}.spec.json`);
  writeFileSync(file, JSON.stringify({
    specFileVersion: SPEC_FILE_VERSION,
    spec: { stage: 'rootfs', source: { kind: 'image', reference: BASE } },
    cacheDir: path.join(work, `cache-${name}`),
  }));
  return file;
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'leftovers-'));
});

afterAll(() => {
  for (const id of made) spawnSync('docker', ['rm', '--force', id]);
  rmSync(work, { recursive: true, force: true });
});

describe('GIVEN containers left on the engine WHEN a build starts', () => {
  test('THEN only this tool\'s containers of dead builders on this host are removed', () => {
    // GIVEN
    const create = (name: string, label?: string) => {
      const id = docker('create', '--name', name, ...(label ? ['--label', label] : []), '--entrypoint', '/bin/true', BASE);
      made.push(id);
      return id;
    };
    const host = os.hostname();
    const tag = Math.random().toString(16).slice(2, 8);
    const killedRun = create(`cdktf-docker-vm-export-1-${tag}`, `${TEMPORARY_LABEL}=${host}:${deadPid()}`);
    const liveRun = create(`cdktf-docker-vm-export-2-${tag}`, `${TEMPORARY_LABEL}=${host}:${process.pid}`);
    const otherHost = create(`cdktf-docker-vm-export-3-${tag}`, `${TEMPORARY_LABEL}=another-host:${deadPid()}`);
    const usersOwn = create(`cdktf-docker-vm-export-4-${tag}`); // the name pattern, not the label
    // WHEN
    const r = runCli(['run', '--spec', rootfsSpec('sweep')]);
    // THEN
    expect(r.stderr).toMatch(/removing \d+ container\(s\) left by killed cdktf-docker-vm runs/);
    expect(r.status).toBe(0);
    expect(containerExists(killedRun)).toBe(false);
    expect([liveRun, otherHost, usersOwn].map(containerExists)).toEqual([true, true, true]);
  });
});

describe('GIVEN a docker engine that finishes creating the export container after its client was killed', () => {
  test('THEN SIGINT during docker create exits 130 and leaves no container of the build', async () => {
    // GIVEN: a docker shim whose `create` hands the request to a detached real client and
    // answers only after it, as a slow daemon does; SIGINT reaches the shim first
    const shimDir = path.join(work, 'shim');
    mkdirSync(shimDir, { recursive: true });
    const real = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(path.join(shimDir, 'docker'), [
      '#!/bin/sh',
      'if [ "$1" = create ]; then',
      `  setsid -f sh -c 'sleep 3; "$0" "$@" > "${shimDir}/created.part" && mv "${shimDir}/created.part" "${shimDir}/created"' ${real} "$@" < /dev/null > /dev/null 2>&1`,
      '  echo creating >&2',
      `  while [ ! -s "${shimDir}/created" ]; do sleep 0.2; done`,
      `  cat "${shimDir}/created"; exit 0`,
      'fi',
      `exec ${real} "$@"`,
      '',
    ].join('\n'));
    chmodSync(path.join(shimDir, 'docker'), 0o755);
    const env = { ...process.env, PATH: `${shimDir}:${process.env.PATH}` };
    // WHEN
    const child = spawn(process.execPath, [CLI, 'run', '--spec', rootfsSpec('sigint')], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exit = new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
    child.stderr.on('data', (d: Buffer) => {
      const before = stderr;
      stderr += d.toString();
      if (!/rootfs: docker export/.test(before) && /rootfs: docker export/.test(stderr)) child.kill('SIGINT');
    });
    const code = await exit;
    // the detached create may still be at work: wait (bounded) until the daemon has answered it
    const created = path.join(shimDir, 'created');
    for (const deadline = Date.now() + 120_000; Date.now() < deadline && !(existsSync(created) && readFileSync(created, 'utf8').trim());) {
      await new Promise(r => setTimeout(r, 250));
    }
    expect(readFileSync(created, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    // THEN
    expect(stderr).toMatch(/SIGINT received/);
    expect(code).toBe(130);
    const left = docker('container', 'ls', '--all', '--quiet', '--filter', `label=${TEMPORARY_LABEL}=${os.hostname()}:${child.pid}`);
    expect(left).toBe('');
  }, 600_000);
});
