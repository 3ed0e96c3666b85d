import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpecError } from '../../../src/builder/common/errors';
import { C_VIRTIOFSD } from '../../../src/builder/preview/virtiofs';
import { findVirtiofsd, requireUsableVirtiofsd, VirtiofsDaemon } from '../../../src/builder/preview/virtiofs-daemon';

describe('findVirtiofsd', () => {
  test('CDKTF_DOCKER_VM_VIRTIOFSD that is not an executable is refused, naming the variable', () => {
    expect(() => findVirtiofsd({ CDKTF_DOCKER_VM_VIRTIOFSD: '/nope/virtiofsd' })).toThrow(SpecError);
    expect(() => findVirtiofsd({ CDKTF_DOCKER_VM_VIRTIOFSD: '/nope/virtiofsd' })).toThrow(/CDKTF_DOCKER_VM_VIRTIOFSD=\/nope\/virtiofsd is not an executable/);
  });

  test('an explicit executable is used as given', () => {
    expect(findVirtiofsd({ CDKTF_DOCKER_VM_VIRTIOFSD: '/bin/true' })).toBe('/bin/true');
  });
});

describe('requireUsableVirtiofsd', () => {
  test('the C virtiofsd without root is refused before any work, with the ways out', () => {
    expect(() => requireUsableVirtiofsd(C_VIRTIOFSD, false)).toThrow(SpecError);
    expect(() => requireUsableVirtiofsd(C_VIRTIOFSD, false)).toThrow(/--virtiofs needs root with \/usr\/lib\/qemu\/virtiofsd .*setgroups.*run it as root, or install the Rust virtiofsd/);
  });

  test('root, or another virtiofsd, passes', () => {
    expect(() => requireUsableVirtiofsd(C_VIRTIOFSD, true)).not.toThrow();
    expect(() => requireUsableVirtiofsd('/usr/local/bin/virtiofsd', false)).not.toThrow();
  });
});

// Real virtiofsd, as root (its namespace sandbox); QEMU is not needed to see the socket appear.
(process.getuid?.() === 0 && existsSync(C_VIRTIOFSD) ? describe : describe.skip)('VirtiofsDaemon', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cdvm-virtiofsd-'));
    mkdirSync(path.join(dir, 'root'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('start resolves once the socket exists; stop ends virtiofsd', async () => {
    // GIVEN
    const daemon = new VirtiofsDaemon(C_VIRTIOFSD, path.join(dir, 'root'), path.join(dir, 'vfs.sock'), true);
    // WHEN
    await daemon.start();
    // THEN
    expect(existsSync(path.join(dir, 'vfs.sock'))).toBe(true);
    await daemon.stop();
    await daemon.stop(); // a second stop is harmless
  }, 60_000);

  test('a source that does not exist fails start with virtiofsd\'s own words', async () => {
    // GIVEN
    const daemon = new VirtiofsDaemon(C_VIRTIOFSD, path.join(dir, 'missing'), path.join(dir, 'vfs.sock'), true);
    // WHEN / THEN
    await expect(daemon.start()).rejects.toThrow(/virtiofsd \(\/usr\/lib\/qemu\/virtiofsd\) stopped before serving .*missing \(exit code \d+\): .*\S/);
  }, 60_000);
});
