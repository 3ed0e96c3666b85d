import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultCacheDir, MANIFEST_VERSION, StageCache } from '../../../src/builder/common/cache';
import { SpecError } from '../../../src/builder/common/errors';
import { tempDir } from '../support/tar';

const FP = '0123456789abcdef'.repeat(4);
// sparse-digest.ts: block 0's index (8 bytes, big-endian) and bytes, then the size
const CONTENT_DIGEST = createHash('sha256').update(Buffer.alloc(8)).update('x'.repeat(1500)).update('size 1500').digest('hex');
const FILE = { name: 'rootfs.tar', bytes: 1500, digest: CONTENT_DIGEST };

/** File times move in clock ticks (a few ms): let one pass so a write gets a new mtime/ctime. */
const nextTick = () => new Promise(r => setTimeout(r, 20));

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('StageCache', () => {
  let tmp: ReturnType<typeof tempDir>;
  let cache: StageCache;
  beforeEach(() => {
    tmp = tempDir();
    cache = new StageCache(path.join(tmp.dir, 'cache'));
  });
  afterEach(() => tmp.cleanup());

  const produce = async (dir: string) => {
    fs.writeFileSync(path.join(dir, 'rootfs.tar'), 'x'.repeat(1500));
    return { files: ['rootfs.tar'], meta: { kernel: 'boot/vmlinuz' } };
  };

  test('create() moves the finished entry to <dir>/<stage>/<fingerprint> with a manifest', async () => {
    // WHEN
    const entry = await cache.create('rootfs', FP, produce);
    // THEN
    const dir = path.join(tmp.dir, 'cache', 'rootfs', FP);
    expect(entry).toEqual({ stage: 'rootfs', fingerprint: FP, dir, files: [FILE], meta: { kernel: 'boot/vmlinuz' } });
    expect(fs.readdirSync(dir).sort()).toEqual(['last-used', 'manifest.json', 'rootfs.tar']);
    expect(fs.readdirSync(path.join(tmp.dir, 'cache', 'tmp'))).toEqual([]);
  });

  test('create() leaves nothing behind when the producer throws', async () => {
    // GIVEN
    let producerDir = '';
    const failing = async (dir: string): Promise<{ files: string[]; meta: Record<string, unknown> }> => {
      producerDir = dir;
      fs.writeFileSync(path.join(dir, 'partial.raw'), 'half');
      throw new Error('mke2fs died');
    };
    // WHEN
    await expect(cache.create('disk', FP, failing)).rejects.toThrow('mke2fs died');
    // THEN
    expect(producerDir.startsWith(path.join(tmp.dir, 'cache', 'tmp') + path.sep)).toBe(true);
    expect(fs.existsSync(producerDir)).toBe(false);
    expect(fs.readdirSync(path.join(tmp.dir, 'cache', 'tmp'))).toEqual([]);
    expect(fs.existsSync(path.join(tmp.dir, 'cache', 'disk', FP))).toBe(false);
    expect(cache.lookup('disk', FP)).toBeUndefined();
  });

  test('lookup() returns a complete entry', async () => {
    // GIVEN
    await cache.create('rootfs', FP, produce);
    // WHEN
    const entry = cache.lookup('rootfs', FP);
    // THEN
    expect(entry).toEqual({
      stage: 'rootfs', fingerprint: FP, dir: cache.entryDir('rootfs', FP), files: [FILE], meta: { kernel: 'boot/vmlinuz' },
    });
  });

  test('lookup() removes a truncated file\'s entry', async () => {
    // GIVEN
    const entry = await cache.create('rootfs', FP, produce);
    fs.truncateSync(path.join(entry.dir, 'rootfs.tar'), 1000);
    // WHEN
    const found = cache.lookup('rootfs', FP);
    // THEN
    expect(found).toBeUndefined();
    expect(fs.existsSync(entry.dir)).toBe(false);
  });

  test('lookup() detects a flipped byte of the same size by its digest', async () => {
    // GIVEN a byte changed in place with an ordinary write: same size, new mtime and ctime
    const entry = await cache.create('rootfs', FP, produce);
    await nextTick();
    const fd = fs.openSync(path.join(entry.dir, 'rootfs.tar'), 'r+');
    fs.writeSync(fd, 'y', 700);
    fs.closeSync(fd);
    // WHEN
    const found = cache.lookup('rootfs', FP);
    // THEN
    expect(found).toBeUndefined();
    expect(fs.existsSync(entry.dir)).toBe(false);
  });

  test('lookup() detects a flipped byte even when the mtime is set back', async () => {
    // GIVEN a byte changed in place, then the old mtime restored (ctime still moves)
    const entry = await cache.create('rootfs', FP, produce);
    const file = path.join(entry.dir, 'rootfs.tar');
    const before = fs.statSync(file);
    await nextTick();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, 'y', 0);
    fs.closeSync(fd);
    fs.utimesSync(file, before.atime, before.mtime);
    // THEN
    expect(cache.lookup('rootfs', FP)).toBeUndefined();
  });

  test('lookup() keeps an intact entry whose files were copied back (new inodes) and refreshes its stamps', async () => {
    // GIVEN the same content written again, as a cache restore does
    const entry = await cache.create('rootfs', FP, produce);
    const file = path.join(entry.dir, 'rootfs.tar');
    fs.rmSync(file);
    fs.writeFileSync(file, 'x'.repeat(1500));
    const manifestBefore = fs.readFileSync(path.join(entry.dir, 'manifest.json'), 'utf8');
    // WHEN
    const found = cache.lookup('rootfs', FP);
    // THEN
    expect(found?.files).toEqual([FILE]);
    expect(fs.readFileSync(path.join(entry.dir, 'manifest.json'), 'utf8')).not.toBe(manifestBefore);
    expect(fs.readdirSync(entry.dir).sort()).toEqual(['last-used', 'manifest.json', 'rootfs.tar']);
    expect(cache.lookup('rootfs', FP)?.files).toEqual([FILE]);
  });

  test('lookup() does not re-hash an intact file whose stat is unchanged', async () => {
    // GIVEN an entry whose recorded digest is wrong but whose file was not touched:
    // only a changed stamp triggers the hash, so this is still a hit
    const entry = await cache.create('rootfs', FP, produce);
    const manifestPath = path.join(entry.dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    manifest.files[0].digest = '0'.repeat(64);
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));
    // THEN
    expect(cache.lookup('rootfs', FP)?.files[0].digest).toBe('0'.repeat(64));
  });

  test('lookup() removes an entry of an older manifest version', async () => {
    // GIVEN a version-1 manifest (sizes only)
    const entry = await cache.create('rootfs', FP, produce);
    fs.writeFileSync(path.join(entry.dir, 'manifest.json'), JSON.stringify({ stage: 'rootfs', fingerprint: FP, files: [{ name: 'rootfs.tar', bytes: 1500 }], meta: {} }));
    // THEN
    expect(cache.lookup('rootfs', FP)).toBeUndefined();
    expect(fs.existsSync(entry.dir)).toBe(false);
  });

  test('create() records the manifest version and each file\'s digest', async () => {
    // WHEN
    const entry = await cache.create('rootfs', FP, produce);
    // THEN
    const manifest = JSON.parse(fs.readFileSync(path.join(entry.dir, 'manifest.json'), 'utf8'));
    expect(manifest.manifestVersion).toBe(MANIFEST_VERSION);
    expect(manifest.files[0]).toMatchObject(FILE);
  });

  test('lookup() returns undefined for an unknown fingerprint', () => {
    expect(cache.lookup('rootfs', FP)).toBeUndefined();
  });

  test('lookup() removes an entry whose file size no longer matches its manifest', async () => {
    // GIVEN
    const entry = await cache.create('rootfs', FP, produce);
    fs.appendFileSync(path.join(entry.dir, 'rootfs.tar'), 'more');
    // WHEN
    const found = cache.lookup('rootfs', FP);
    // THEN
    expect(found).toBeUndefined();
    expect(fs.existsSync(entry.dir)).toBe(false);
  });

  test.each([
    ['a missing file', (dir: string) => fs.rmSync(path.join(dir, 'rootfs.tar'))],
    ['a corrupt manifest', (dir: string) => fs.writeFileSync(path.join(dir, 'manifest.json'), '{"files": [')],
  ])('lookup() removes an entry with %s', async (_name, damage) => {
    // GIVEN
    const entry = await cache.create('rootfs', FP, produce);
    damage(entry.dir);
    // THEN
    expect(cache.lookup('rootfs', FP)).toBeUndefined();
    expect(fs.existsSync(entry.dir)).toBe(false);
  });

  test('withLock() makes a second caller for the same fingerprint wait for the first', async () => {
    // GIVEN
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>(r => { release = r; });
    const first = cache.withLock('disk', FP, async () => {
      events.push('first start');
      await held;
      events.push('first end');
      return 1;
    });
    // WHEN
    const second = cache.withLock('disk', FP, async () => {
      events.push('second start');
      return 2;
    }, () => events.push('second waits'));
    await new Promise(r => setTimeout(r, 50));
    const beforeRelease = [...events];
    release();
    // THEN
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(beforeRelease).toEqual(['first start', 'second waits']);
    expect(events).toEqual(['first start', 'second waits', 'first end', 'second start']);
    expect(fs.readdirSync(path.join(tmp.dir, 'cache', 'locks'))).toEqual([]);
  });

  test('withLock() does not make different fingerprints wait for each other', async () => {
    // GIVEN
    const onWait = jest.fn();
    // WHEN
    const result = await cache.withLock('disk', FP, () => cache.withLock('disk', 'f'.repeat(64), async () => 'inner', onWait));
    // THEN
    expect(result).toBe('inner');
    expect(onWait).not.toHaveBeenCalled();
  });

  test('withLock() waits on a lock whose pid is not written yet, and takes it over once it is old', async () => {
    // GIVEN a lock file another process has just created (open 'wx') but not yet written its pid into
    fs.mkdirSync(path.join(tmp.dir, 'cache', 'locks'), { recursive: true });
    const lockFile = path.join(tmp.dir, 'cache', 'locks', `rootfs-${FP}.lock`);
    fs.writeFileSync(lockFile, '');
    const onWait = jest.fn();
    // WHEN a second caller asks for it
    let acquired = false;
    const second = cache.withLock('rootfs', FP, async () => { acquired = true; }, onWait);
    await new Promise(r => setTimeout(r, 700));
    // THEN it waits rather than taking the lock (two holders would build the same entry at once)
    expect(acquired).toBe(false);
    expect(onWait).toHaveBeenCalledTimes(1);
    // AND once the empty lock is older than the grace period its holder is taken as dead
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile, old, old);
    await second;
    expect(acquired).toBe(true);
  });

  test('withLock() takes over a stale lock of a dead pid', async () => {
    // GIVEN
    fs.mkdirSync(path.join(tmp.dir, 'cache', 'locks'), { recursive: true });
    const lockFile = path.join(tmp.dir, 'cache', 'locks', `rootfs-${FP}.lock`);
    fs.writeFileSync(lockFile, String(deadPid()));
    const onWait = jest.fn();
    // WHEN
    const result = await cache.withLock('rootfs', FP, async () => fs.readFileSync(lockFile, 'utf8'), onWait);
    // THEN
    expect(result).toBe(String(process.pid));
    expect(onWait).not.toHaveBeenCalled();
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  test('withLock() releases the lock when fn throws', async () => {
    await expect(cache.withLock('rootfs', FP, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(fs.readdirSync(path.join(tmp.dir, 'cache', 'locks'))).toEqual([]);
  });

  test('sweepTemp() removes temp dirs of dead pids only', () => {
    // GIVEN
    const tmpRoot = path.join(tmp.dir, 'cache', 'tmp');
    const dead = path.join(tmpRoot, `disk-0123456789abcdef-${deadPid()}-deadbeef`);
    const alive = path.join(tmpRoot, `disk-0123456789abcdef-${process.pid}-cafe0000`);
    fs.mkdirSync(dead, { recursive: true });
    fs.mkdirSync(alive, { recursive: true });
    fs.writeFileSync(path.join(dead, 'disk.raw'), 'partial');
    // WHEN
    cache.sweepTemp();
    // THEN
    expect(fs.readdirSync(tmpRoot)).toEqual([path.basename(alive)]);
  });

  test('sweepTemp() does nothing without a temp dir', () => {
    expect(() => cache.sweepTemp()).not.toThrow();
  });

  test('fails when the cache dir is not writable: bad input (exit 2), suggesting --cache-dir', async () => {
    // GIVEN: a directory below a regular file cannot be created, even by root
    fs.writeFileSync(path.join(tmp.dir, 'file'), '');
    const bad = new StageCache(path.join(tmp.dir, 'file', 'cache'));
    // THEN
    await expect(bad.create('rootfs', FP, produce)).rejects.toThrow(SpecError);
    await expect(bad.create('rootfs', FP, produce)).rejects.toThrow(/cache directory .*file\/cache is not writable .*pass --cache-dir DIR/);
    await expect(bad.withLock('rootfs', FP, async () => 1)).rejects.toThrow(/--cache-dir/);
  });
});

describe('defaultCacheDir', () => {
  test.each([
    [{ CDKTF_DOCKER_VM_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/c'],
    [{ XDG_CACHE_HOME: '/x' }, '/x/cdktf-docker-vm'],
  ])('uses %j -> %s', (env, dir) => {
    expect(defaultCacheDir(env)).toBe(dir);
  });

  test('falls back to ~/.cache/cdktf-docker-vm', () => {
    expect(defaultCacheDir({})).toMatch(/\/\.cache\/cdktf-docker-vm$/);
  });
});
