import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixtureRootfsTar, runCli } from './support/builder';
import { shortCidQemuImgShim } from './support/short-cid-qemu-img';
import { derivedHex32 } from '../../src/builder/common/ids';

// Same inputs, byte-identical images: two builds of one fixed tar in two empty
// cache dirs, at different wall-clock times, give the same sha256 per format.
const FORMATS = ['disk.img', 'disk.qcow2', 'disk.vmdk', 'disk.qcow2.gz'];

let work: string;
let fixedTar: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-repro-'));
  fixedTar = await fixtureRootfsTar(work);
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

describe('when qemu-img writes a content id shorter than 8 hex digits', () => {
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

  function buildVmdk(run: string, env: NodeJS.ProcessEnv): { output: string; cache: string } {
    const output = path.join(work, run, 'disk.vmdk');
    const cache = path.join(work, run, 'cache');
    const r = runCli(['build', '--tar', fixedTar, '--output', output, '--cache-dir', cache, '--quiet'], { env });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    return { output, cache };
  }

  test('the vmdk build succeeds, gets the derived content id, passes qemu-img check and is byte-identical across builds', () => {
    // GIVEN a qemu-img that always writes CID=1a
    const shim = shortCidQemuImgShim(path.join(work, 'shim'), '1a');
    const env = { ...process.env, PATH: `${shim}${path.delimiter}${process.env.PATH}` };
    // WHEN the same tar is built twice, in separate caches
    const first = buildVmdk('short-a', env);
    const second = buildVmdk('short-b', env);
    // THEN
    expect(sha256(second.output)).toBe(sha256(first.output));
    const check = spawnSync('qemu-img', ['check', '-f', 'vmdk', first.output], { encoding: 'utf8' });
    expect({ status: check.status, stdout: check.stdout }).toEqual({ status: 0, stdout: expect.stringMatching(/No errors were found/) });
    const info = JSON.parse(spawnSync('qemu-img', ['info', '--output=json', '-f', 'vmdk', first.output], { encoding: 'utf8' }).stdout);
    expect(info).toMatchObject({ 'format': 'vmdk', 'format-specific': { data: { 'create-type': 'monolithicSparse' } } });
    const [bootable] = readdirSync(path.join(first.cache, 'bootloader'));
    const descriptor = readFileSync(first.output).toString('latin1', 512, 512 + 20 * 512).replace(/\0+$/, '');
    expect(descriptor).toMatch(new RegExp(`\\nCID=${derivedHex32(bootable, 'vmdk-cid')}\\nparentCID=ffffffff\\ncreateType="monolithicSparse"\\n`));
    expect(descriptor).toMatch(/\nddb\.toolsVersion = "\d+"\n$/);
  });
});
