/**
 * The cache stays bounded over successive image versions: each build prunes
 * least recently used entries to CDKTF_DOCKER_VM_CACHE_MAX_BYTES, keeps its own
 * entries, and `cache du` / `cache prune` report and remove through the
 * compiled CLI.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheState, runCli } from './support/builder';

const MiB = 1024 ** 2;
/** About two versions of the small image below (each about 23 MiB allocated, most of it the disk's ext4 journal). */
const LIMIT = 50 * MiB;
const VERSIONS = 10;

let work: string;
let cacheDir: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cache-prune-'));
  cacheDir = path.join(work, 'cache');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A tiny rootfs tar with a (fake) kernel, initrd and init, differing by `version`: a new image version each. */
function versionTar(version: number): string {
  const tar = path.join(work, `v${version}.tar`);
  if (existsSync(tar)) return tar; // made again, its mtimes (and so its fingerprint) would differ
  const root = path.join(work, `root-${version}`);
  for (const d of ['boot', 'sbin', 'etc']) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, 'boot/vmlinuz-6.1.0-1-amd64'), Buffer.alloc(200_000, 7));
  writeFileSync(path.join(root, 'boot/initrd.img-6.1.0-1-amd64'), Buffer.alloc(100_000, 9));
  writeFileSync(path.join(root, 'sbin/init'), '#!/bin/sh\n');
  chmodSync(path.join(root, 'sbin/init'), 0o755);
  writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID=12\n');
  writeFileSync(path.join(root, 'etc/image-version'), `${version}\n`);
  const r = spawnSync('tar', ['-C', root, '-cf', tar, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return tar;
}

interface BuildJson {
  readonly stages: readonly { stage: string; cacheHit: boolean; cacheKey: string }[];
}

function build(version: number, env: NodeJS.ProcessEnv): BuildJson {
  const r = runCli(['build', '--tar', versionTar(version), '--inject', 'never', '--output', path.join(work, 'out', `v${version}.img`),
    '--cache-dir', cacheDir, '--json'], { env, timeoutMs: 10 * 60_000 });
  if (r.status !== 0) throw new Error(`build v${version} failed (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout) as BuildJson;
}

function du(): { stages: Record<string, { entries: number; bytes: number }>; totalBytes: number; maxBytes: number | null } {
  const r = runCli(['cache', 'du', '--cache-dir', cacheDir, '--json'], { env: { ...process.env, CDKTF_DOCKER_VM_CACHE_MAX_BYTES: String(LIMIT) } });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

const entryBytes = (u: ReturnType<typeof du>) => Object.values(u.stages).reduce((sum, s) => sum + s.bytes, 0);

test(`the cache stays under CDKTF_DOCKER_VM_CACHE_MAX_BYTES over ${VERSIONS} image versions, and the latest is a hit`, () => {
  // GIVEN a small limit
  const env = { ...process.env, CDKTF_DOCKER_VM_CACHE_MAX_BYTES: String(LIMIT) };
  let last: BuildJson | undefined;
  // WHEN ten successive versions are built
  for (let v = 1; v <= VERSIONS; v++) {
    last = build(v, env);
    expect(last.stages.map(s => s.cacheHit)).toEqual([false, false, false, false]);
    // THEN after each build the entries fit the limit, and this build's four entries are there
    const usage = du();
    expect(entryBytes(usage)).toBeLessThanOrEqual(LIMIT);
    const state = cacheState(cacheDir);
    for (const s of last.stages) expect(state.entries[s.stage]).toContain(s.cacheKey);
    expect(state.tmp).toEqual([]);
  }
  const usage = du();
  const lines = Object.entries(usage.stages).map(([stage, s]) => `  ${stage.padEnd(10)} ${String(s.entries).padStart(2)} entries ${(s.bytes / MiB).toFixed(1).padStart(7)} MiB`);
  // eslint-disable-next-line no-console
  console.log([`cache footprint after ${VERSIONS} versions (limit ${LIMIT / MiB} MiB):`, ...lines,
    `  total      ${(usage.totalBytes / MiB).toFixed(1)} MiB`].join('\n'));
  expect(usage.maxBytes).toBe(LIMIT);
  expect(usage.stages.convert.entries).toBeLessThan(VERSIONS);
  // AND the latest version is still a cache hit at every stage
  const again = build(VERSIONS, env);
  expect(again.stages.map(s => s.cacheHit)).toEqual([true]);
  expect(again.stages[0].cacheKey).toBe(last!.stages[3].cacheKey);
});

test('cache prune --all removes every entry and reports the bytes freed', () => {
  // GIVEN the cache of the test above
  const before = entryBytes(du());
  expect(before).toBeGreaterThan(0);
  // WHEN
  const r = runCli(['cache', 'prune', '--all', '--cache-dir', cacheDir, '--json']);
  // THEN
  expect(r.status).toBe(0);
  const result = JSON.parse(r.stdout);
  expect(result.freedBytes).toBe(before);
  expect(result.remainingEntries).toBe(0);
  expect(r.stderr).toMatch(/cache: removed convert\//);
  const state = cacheState(cacheDir);
  expect(Object.values(state.entries).flat()).toEqual([]);
  expect(state.tmp).toEqual([]);
});

test('fails with exit 2 when CDKTF_DOCKER_VM_CACHE_MAX_BYTES is not a size, before any work', () => {
  // WHEN
  const r = runCli(['build', '--tar', versionTar(99), '--inject', 'never', '--output', path.join(work, 'out', 'bad.img'), '--cache-dir', cacheDir],
    { env: { ...process.env, CDKTF_DOCKER_VM_CACHE_MAX_BYTES: '50 megs' } });
  // THEN
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('cdktf-docker-vm: error: CDKTF_DOCKER_VM_CACHE_MAX_BYTES=50 megs is not a size; set it like CDKTF_DOCKER_VM_CACHE_MAX_BYTES=20G ' +
    '(a bare number is bytes; unlimited turns the limit off), or unset it for the default 20 GiB\n');
  expect(cacheState(cacheDir).entries.rootfs).toEqual([]);
});
