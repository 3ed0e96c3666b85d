import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CacheEntry } from '../../../src/builder/common/cache';
import { ToolRunner } from '../../../src/builder/common/tools';
import { exportRootfs, planRootfsExport, planSessionCopy } from '../../../src/builder/preview/virtiofs-export';

const FP = 'ab'.repeat(32);
let cache: string;
let entry: CacheEntry;

beforeEach(() => {
  cache = mkdtempSync(path.join(os.tmpdir(), 'cdvm-virtiofs-export-'));
  const dir = path.join(cache, 'rootfs', FP);
  mkdirSync(dir, { recursive: true });
  const src = path.join(cache, 'src');
  mkdirSync(path.join(src, 'etc'), { recursive: true });
  writeFileSync(path.join(src, 'etc/hostname'), 'vm\n');
  writeFileSync(path.join(src, 'etc/hosts'), ''); // docker leaves it empty for its bind mount
  writeFileSync(path.join(src, '.dockerenv'), '');
  mkdirSync(path.join(src, 'etc/cloud/cloud.cfg.d'), { recursive: true });
  writeFileSync(path.join(src, 'etc/owned'), 'x', { mode: 0o4755 });
  if (process.getuid?.() === 0) chownSync(path.join(src, 'etc/owned'), 1234, 5678);
  chmodSync(path.join(src, 'etc/owned'), 0o4755); // after chown, which clears setuid
  const r = spawnSync('tar', ['-c', '-f', path.join(dir, 'rootfs.tar'), '-C', src, '.'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  entry = { stage: 'rootfs', fingerprint: FP, dir, files: [{ name: 'rootfs.tar', bytes: 0, digest: '' }], meta: {} };
});
afterEach(() => rmSync(cache, { recursive: true, force: true }));

describe('planRootfsExport', () => {
  test('as root keeps owners; extracts in the cache tmp dir (swept by pid) next to the entry', () => {
    // WHEN
    const plan = planRootfsExport(entry, cache, true, 42, 'beef');
    // THEN
    expect(plan.target).toBe(path.join(entry.dir, 'virtiofs-root'));
    expect(plan.tmp).toBe(path.join(cache, 'tmp', `virtiofs-${FP.slice(0, 16)}-42-beef`));
    expect(plan.extract.args).toEqual(expect.arrayContaining(['--same-owner', '--numeric-owner', '-f', path.join(entry.dir, 'rootfs.tar'), '-C', plan.tmp]));
  });

  test('as another user does not try to chown', () => {
    expect(planRootfsExport(entry, cache, false).extract.args).toContain('--no-same-owner');
  });
});

describe('exportRootfs', () => {
  test('extracts once, atomically, and reuses the export', async () => {
    // WHEN
    const steps: string[] = [];
    const dir = await exportRootfs(entry, cache, new ToolRunner(), m => steps.push(m));
    const again = await exportRootfs(entry, cache, new ToolRunner(), m => steps.push(m));
    // THEN
    expect(dir).toBe(path.join(entry.dir, 'virtiofs-root'));
    expect(again).toBe(dir);
    expect(steps).toHaveLength(1);
    expect(readFileSync(path.join(dir, 'etc/hostname'), 'utf8')).toBe('vm\n');
    expect(readdirSync(path.join(cache, 'tmp'))).toEqual([]);
  });

  test('fixes what the disk stage fixes: no /.dockerenv, a virtiofs fstab, hosts where docker left it empty, the image\'s own hostname kept', async () => {
    // WHEN
    const dir = await exportRootfs(entry, cache, new ToolRunner(), () => undefined);
    // THEN
    expect(existsSync(path.join(dir, '.dockerenv'))).toBe(false);
    expect(readFileSync(path.join(dir, 'etc/fstab'), 'utf8')).toBe('rootfs / virtiofs defaults 0 0\n');
    expect(readFileSync(path.join(dir, 'etc/hosts'), 'utf8')).toMatch(/^127\.0\.0\.1\tlocalhost\n/);
    expect(readFileSync(path.join(dir, 'etc/hostname'), 'utf8')).toBe('vm\n');
    expect(readFileSync(path.join(dir, 'etc/cloud/cloud.cfg.d/90-cdktf-docker-vm-virtiofs.cfg'), 'utf8')).toMatch(/growpart:\n {2}mode: "off"\nresize_rootfs: false/);
  });

  (process.getuid?.() === 0 ? test : test.skip)('as root keeps owner, group and the setuid bit', async () => {
    // WHEN
    const dir = await exportRootfs(entry, cache, new ToolRunner(), () => undefined);
    // THEN
    const st = statSync(path.join(dir, 'etc/owned'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1234, 5678, 0o4755]);
  });

  test('a failed extraction leaves no export and no temp dir', async () => {
    // GIVEN a truncated tar
    writeFileSync(path.join(entry.dir, 'rootfs.tar'), 'not a tar');
    // WHEN
    const run = exportRootfs(entry, cache, new ToolRunner(), () => undefined);
    // THEN
    await expect(run).rejects.toThrow(/could not extract rootfs\.tar for virtiofs/);
    expect(existsSync(path.join(entry.dir, 'virtiofs-root'))).toBe(false);
    expect(readdirSync(path.join(cache, 'tmp'))).toEqual([]);
  });
});

test('planSessionCopy copies the export\'s contents, keeping everything', () => {
  expect(planSessionCopy('/c/virtiofs-root', '/w/rootfs')).toEqual({ tool: 'cp', args: ['-a', '--reflink=auto', '--', '/c/virtiofs-root/.', '/w/rootfs'] });
});
