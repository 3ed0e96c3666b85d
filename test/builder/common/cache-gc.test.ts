import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAST_USED, StageCache } from '../../../src/builder/common/cache';
import { cacheUsage, listEntries, pruneCache } from '../../../src/builder/common/cache-gc';
import { StageName } from '../../../src/builder/spec';
import { tempDir } from '../support/tar';

const fp = (n: number) => n.toString(16).padStart(64, '0');
const KiB = 1024;

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('cache prune', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dir: string;
  beforeEach(() => {
    tmp = tempDir();
    dir = path.join(tmp.dir, 'cache');
  });
  afterEach(() => tmp.cleanup());

  /** Makes an entry of `kib` KiB (written, so allocated) last used `minutesAgo` minutes ago, through a cache that is then dropped. */
  async function entry(stage: StageName, n: number, kib: number, minutesAgo: number): Promise<void> {
    const maker = new StageCache(dir);
    await maker.create(stage, fp(n), async tmpDir => {
      fs.writeFileSync(path.join(tmpDir, 'a.bin'), Buffer.alloc(kib * KiB, 1));
      return { files: ['a.bin'], meta: {} };
    });
    maker.releasePins();
    const when = new Date(Date.now() - minutesAgo * 60_000);
    fs.utimesSync(path.join(dir, stage, fp(n), LAST_USED), when, when);
  }

  const names = (r: ReturnType<typeof pruneCache>) => r.removed.map(e => `${e.stage}/${Number.parseInt(e.fingerprint, 16)}`);

  test('evicts least recently used entries first until the entries fit the size limit', async () => {
    // GIVEN four 64 KiB entries used 40, 30, 20 and 10 minutes ago
    await entry('rootfs', 1, 64, 40);
    await entry('disk', 2, 64, 10);
    await entry('bootloader', 3, 64, 30);
    await entry('convert', 4, 64, 20);
    // WHEN the limit leaves room for two
    const result = pruneCache(new StageCache(dir), { maxBytes: 150 * KiB });
    // THEN the two least recently used go, oldest first
    expect(names(result)).toEqual(['rootfs/1', 'bootloader/3']);
    expect(result.removed.every(r => r.reason === 'size')).toBe(true);
    expect(result.freedBytes).toBeGreaterThanOrEqual(128 * KiB);
    expect(listEntries(new StageCache(dir)).map(e => e.stage)).toEqual(['convert', 'disk']);
    expect(result.remainingBytes).toBeLessThanOrEqual(150 * KiB);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  test('a lookup hit makes an entry the most recently used', async () => {
    // GIVEN two entries, the older one then looked up
    await entry('rootfs', 1, 64, 40);
    await entry('rootfs', 2, 64, 10);
    const reader = new StageCache(dir);
    expect(reader.lookup('rootfs', fp(1))).toBeDefined();
    reader.releasePins();
    // WHEN
    const result = pruneCache(new StageCache(dir), { maxBytes: 100 * KiB });
    // THEN the one not looked up goes
    expect(names(result)).toEqual(['rootfs/2']);
  });

  test('never evicts an entry a live process has looked up (pinned)', async () => {
    // GIVEN the oldest entry looked up by a build that is still running (this process, another cache object)
    await entry('rootfs', 1, 64, 40);
    await entry('disk', 2, 64, 30);
    const build = new StageCache(dir);
    expect(build.lookup('rootfs', fp(1))).toBeDefined();
    // WHEN a prune from elsewhere must free space
    const result = pruneCache(new StageCache(dir), { maxBytes: 0 });
    // THEN the pinned entry stays and is reported as kept
    expect(names(result)).toEqual(['disk/2']);
    expect(result.kept).toEqual([expect.objectContaining({ stage: 'rootfs', why: 'in use' })]);
    expect(fs.existsSync(path.join(dir, 'rootfs', fp(1), 'a.bin'))).toBe(true);
    // AND once the build ends its pins go
    build.releasePins();
    expect(names(pruneCache(new StageCache(dir), { maxBytes: 0 }))).toEqual(['rootfs/1']);
  });

  test('never evicts an entry whose lock a live process holds', async () => {
    // GIVEN the entry's lock file written by a live process
    await entry('rootfs', 1, 64, 40);
    const sleeper = spawn('sleep', ['30']);
    try {
      fs.mkdirSync(path.join(dir, 'locks'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'locks', `rootfs-${fp(1)}.lock`), String(sleeper.pid));
      // WHEN
      const result = pruneCache(new StageCache(dir), { all: true });
      // THEN
      expect(result.removed).toEqual([]);
      expect(result.kept).toEqual([expect.objectContaining({ why: 'locked' })]);
      expect(fs.existsSync(path.join(dir, 'rootfs', fp(1)))).toBe(true);
    } finally {
      sleeper.kill();
    }
  });

  test('takes over the lock of a dead process and evicts the entry', async () => {
    // GIVEN
    await entry('rootfs', 1, 64, 40);
    fs.mkdirSync(path.join(dir, 'locks'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'locks', `rootfs-${fp(1)}.lock`), String(deadPid()));
    // WHEN
    const result = pruneCache(new StageCache(dir), { all: true });
    // THEN
    expect(names(result)).toEqual(['rootfs/1']);
    expect(fs.readdirSync(path.join(dir, 'locks'))).toEqual([]);
  });

  test('ignores the pins of dead processes', async () => {
    // GIVEN a pin file left by a builder that died
    await entry('rootfs', 1, 64, 40);
    fs.writeFileSync(path.join(dir, 'pins', `${deadPid()}-abcd.json`), JSON.stringify([`rootfs/${fp(1)}`]));
    // WHEN
    const result = pruneCache(new StageCache(dir), { all: true });
    // THEN
    expect(names(result)).toEqual(['rootfs/1']);
  });

  test('the age limit removes entries not used within it, however small the cache', async () => {
    // GIVEN
    await entry('rootfs', 1, 4, 3 * 24 * 60);
    await entry('rootfs', 2, 4, 60);
    // WHEN
    const result = pruneCache(new StageCache(dir), { maxAgeMs: 24 * 3_600_000, maxBytes: 1024 * KiB });
    // THEN
    expect(names(result)).toEqual(['rootfs/1']);
    expect(result.removed[0].reason).toBe('age');
  });

  test('a dry run reports what would go and removes nothing', async () => {
    // GIVEN
    await entry('rootfs', 1, 64, 40);
    await entry('disk', 2, 64, 10);
    // WHEN
    const result = pruneCache(new StageCache(dir), { maxBytes: 100 * KiB }, { dryRun: true });
    // THEN
    expect(names(result)).toEqual(['rootfs/1']);
    expect(listEntries(new StageCache(dir))).toHaveLength(2);
    expect(fs.readdirSync(path.join(dir, 'locks'))).toEqual([]);
  });

  test('leaves the temp dirs of running builds alone', async () => {
    // GIVEN a live build's temp dir
    await entry('rootfs', 1, 64, 40);
    const building = path.join(dir, 'tmp', `disk-0123456789abcdef-${process.pid}-0a0b0c0d`);
    fs.mkdirSync(building);
    // WHEN
    pruneCache(new StageCache(dir), { all: true });
    new StageCache(dir).sweepTemp();
    // THEN
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([path.basename(building)]);
  });

  test('du counts entries and bytes per stage, and what else the directory holds', async () => {
    // GIVEN
    await entry('rootfs', 1, 64, 40);
    await entry('rootfs', 2, 64, 40);
    await entry('convert', 3, 32, 40);
    // WHEN
    const usage = cacheUsage(new StageCache(dir));
    // THEN
    expect(usage.stages.rootfs.entries).toBe(2);
    expect(usage.stages.rootfs.bytes).toBeGreaterThanOrEqual(128 * KiB);
    expect(usage.stages.disk).toEqual({ entries: 0, bytes: 0 });
    expect(usage.stages.convert.entries).toBe(1);
    expect(usage.totalBytes).toBe(usage.stages.rootfs.bytes + usage.stages.convert.bytes + usage.otherBytes);
  });

  test('du of a cache directory that does not exist is empty', () => {
    expect(cacheUsage(new StageCache(path.join(tmp.dir, 'none'))).totalBytes).toBe(0);
  });
});
