import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEBIAN_FIXTURE, buildQuietly, runCli } from './support/builder';

// Same inputs, byte-identical images: two builds of one fixed tar in two empty
// cache dirs, at different wall-clock times, give the same sha256 per format.
const FORMATS = ['disk.img', 'disk.qcow2', 'disk.vmdk', 'disk.qcow2.gz'];

let work: string;
let fixedTar: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-repro-'));
  const { result } = await buildQuietly(
    { stage: 'rootfs', source: { kind: 'dockerfile', contextDir: DEBIAN_FIXTURE, dockerfile: 'Dockerfile', buildArgs: {} } },
    path.join(work, 'cache-fixture'),
  );
  fixedTar = path.join(work, 'fixed.tar');
  copyFileSync(result.artifactPath, fixedTar);
  rmSync(path.join(work, 'cache-fixture'), { recursive: true, force: true });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function buildAll(run: string): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const name of FORMATS) {
    const output = path.join(work, run, name);
    const r = runCli(['build', '--tar', fixedTar, '--output', output, '--cache-dir', path.join(work, run, 'cache'), '--quiet']);
    expect({ name, status: r.status, stderr: r.stderr }).toEqual({ name, status: 0, stderr: '' });
    sums[name] = createHash('sha256').update(readFileSync(output)).digest('hex');
  }
  return sums;
}

test('two builds of the same tar in separate caches give byte-identical raw, qcow2, vmdk and gzip upload files', async () => {
  // GIVEN a first build
  const first = buildAll('a');
  // the FAT and ext4 times would differ if any came from the clock
  await new Promise(r => setTimeout(r, 2500));
  // WHEN the same tar is built again from scratch
  const second = buildAll('b');
  // THEN
  expect(second).toEqual(first);
  expect(new Set(Object.values(first)).size).toBe(FORMATS.length);
});
