import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/builder/cli';
import { LAST_USED, StageCache } from '../../../src/builder/common/cache';
import { fakeIo } from '../support/fake-io';
import { tempDir } from '../support/tar';

const fp = (n: number) => n.toString(16).padStart(64, '0');

describe('cache du and cache prune', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dir: string;
  beforeEach(async () => {
    tmp = tempDir();
    dir = path.join(tmp.dir, 'cache');
    // GIVEN two 64 KiB entries, rootfs used before convert
    for (const [stage, n, minutesAgo] of [['rootfs', 1, 20], ['convert', 2, 10]] as const) {
      const maker = new StageCache(dir);
      await maker.create(stage, fp(n), async d => {
        fs.writeFileSync(path.join(d, 'a.bin'), Buffer.alloc(64 * 1024, 1));
        return { files: ['a.bin'], meta: {} };
      });
      maker.releasePins();
      const when = new Date(Date.now() - minutesAgo * 60_000);
      fs.utimesSync(path.join(dir, stage, fp(n), LAST_USED), when, when);
    }
  });
  afterEach(() => tmp.cleanup());

  test('du prints entries and bytes per stage, the total and the limit', async () => {
    // WHEN
    const { io, out } = fakeIo();
    const code = await main(['cache', 'du', '--cache-dir', dir], io);
    // THEN
    expect(code).toBe(0);
    expect(out.stdout).toMatch(/^rootfs +1 +\d+\.\d KiB$/m);
    expect(out.stdout).toMatch(/^disk +0 +0 B$/m);
    expect(out.stdout).toMatch(/^total +\d/m);
    expect(out.stdout).toContain('limit 20.0 GiB (CDKTF_DOCKER_VM_CACHE_MAX_BYTES)');
  });

  test('du --json prints one object', async () => {
    // WHEN
    const { io, out } = fakeIo();
    await main(['cache', 'du', '--cache-dir', dir, '--json'], io);
    // THEN
    const usage = JSON.parse(out.stdout);
    expect(usage.stages.convert).toEqual({ entries: 1, bytes: expect.any(Number) });
    expect(usage.stages.convert.bytes).toBeGreaterThanOrEqual(64 * 1024); // the file, the manifest and the directory, as allocated
    expect(usage.maxBytes).toBe(20 * 1024 ** 3);
  });

  test('prune --max-size removes the least recently used entry and prints what it freed', async () => {
    // WHEN
    const { io, out } = fakeIo();
    const code = await main(['cache', 'prune', '--cache-dir', dir, '--max-size', '100K'], io);
    // THEN
    expect(code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^removed rootfs/${fp(1)} \\d+\nfreed \\d+\\.\\d KiB in 1 entries; 1 entries, \\d+\\.\\d KiB left\n$`));
    expect(out.stderr).toMatch(/cache: removed rootfs\/000000000000, \d+\.\d KiB \(least recently used, over the size limit/);
    expect(fs.existsSync(path.join(dir, 'rootfs', fp(1)))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'convert', fp(2)))).toBe(true);
  });

  test('prune --all --dry-run --json lists every entry and removes none', async () => {
    // WHEN
    const { io, out } = fakeIo();
    await main(['cache', 'prune', '--cache-dir', dir, '--all', '--dry-run', '--json'], io);
    // THEN
    const result = JSON.parse(out.stdout);
    expect(result.removed.map((r: { stage: string }) => r.stage)).toEqual(['rootfs', 'convert']);
    expect(result.freedBytes).toBeGreaterThanOrEqual(128 * 1024);
    expect(result.dryRun).toBe(true);
    expect(fs.existsSync(path.join(dir, 'rootfs', fp(1)))).toBe(true);
  });

  test('prune --older-than removes only entries not used within the age', async () => {
    // WHEN
    const { io, out } = fakeIo();
    await main(['cache', 'prune', '--cache-dir', dir, '--older-than', '15m', '--json'], io);
    // THEN
    expect(JSON.parse(out.stdout).removed).toEqual([expect.objectContaining({ stage: 'rootfs', reason: 'age' })]);
  });

  test.each([
    [['cache', 'prune', '--max-size', 'big'], '--max-size big is not a size; write it like --max-size 10G'],
    [['cache', 'prune', '--older-than', 'old'], '--older-than old is not an age; write it like --older-than 7d'],
    [['cache', 'du', '--all'], '--all is an option of cache prune, not cache du'],
    [['cache'], 'cache needs du or prune; run cdktf-docker-vm cache du or cdktf-docker-vm cache prune'],
    [['cache', 'clean'], 'cache clean is not a cache command'],
  ])('fails with exit 2 on %j', async (argv, message) => {
    // WHEN
    const { io, out } = fakeIo();
    const code = await main([...argv, '--cache-dir', dir], io);
    // THEN
    expect(code).toBe(2);
    expect(out.stderr).toBe(`cdktf-docker-vm: error: ${out.stderr.slice('cdktf-docker-vm: error: '.length)}`);
    expect(out.stderr).toContain(message);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('fails with exit 2 when CDKTF_DOCKER_VM_CACHE_MAX_BYTES is not a size', async () => {
    // GIVEN
    const saved = process.env.CDKTF_DOCKER_VM_CACHE_MAX_BYTES;
    process.env.CDKTF_DOCKER_VM_CACHE_MAX_BYTES = 'huge';
    try {
      // WHEN
      const { io, out } = fakeIo();
      const code = await main(['cache', 'prune', '--cache-dir', dir], io);
      // THEN
      expect(code).toBe(2);
      expect(out.stderr).toContain('CDKTF_DOCKER_VM_CACHE_MAX_BYTES=huge is not a size; set it like CDKTF_DOCKER_VM_CACHE_MAX_BYTES=20G');
    } finally {
      if (saved === undefined) delete process.env.CDKTF_DOCKER_VM_CACHE_MAX_BYTES;
      else process.env.CDKTF_DOCKER_VM_CACHE_MAX_BYTES = saved;
    }
  });
});
