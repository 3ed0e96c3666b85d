import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/builder/cli';

const PUB = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8hW2q0v3Xz preview@test\n';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cdvm-preview-cli-'));
  writeFileSync(path.join(dir, 'vm.qcow2'), 'not really an image');
  writeFileSync(path.join(dir, 'id.pub'), PUB);
  writeFileSync(path.join(dir, 'id'), 'private', { mode: 0o600 });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function preview(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (chunk: string) => { out.stdout += chunk; return true; } },
    stderr: { write: (chunk: string) => { out.stderr += chunk; return true; } },
  } as unknown as Parameters<typeof main>[1];
  const code = await main(['preview', ...argv], io);
  return { code, ...out };
}

function previewTempDirs(): string[] {
  return readdirSync(os.tmpdir()).filter(n => n.startsWith('cdktf-docker-vm-preview-'));
}

describe('preview input errors', () => {
  test.each([
    ['no IMAGE', () => ['--ssh-key', path.join(dir, 'id.pub')], /preview needs an IMAGE/],
    ['no --ssh-key', () => [path.join(dir, 'vm.qcow2')], /preview needs --ssh-key FILE\.pub/],
    ['the image is missing', () => [path.join(dir, 'nope.qcow2'), '--ssh-key', path.join(dir, 'id.pub')], /image .*nope\.qcow2 does not exist; build one with/],
    ['the key is not a .pub file', () => [path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id')], /must be the public key file ending in \.pub/],
    ['the user-data file is missing', () => [path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id.pub'), '--user-data', path.join(dir, 'ud')], /--user-data .*ud does not exist/],
    ['a forward is malformed', () => [path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id.pub'), '--forward', '80'], /--forward 80 is not HOSTPORT:GUESTPORT/],
    ['the hostname is invalid', () => [path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id.pub'), '--hostname', 'web_1'], /--hostname web_1 must be letters/],
    ['the disk size is not a size', () => [path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id.pub'), '--disk-size', 'huge'], /--disk-size huge is not a size/],
  ])('fails when %s: exit 2, nothing left behind', async (_name, argv, message) => {
    // GIVEN
    const before = previewTempDirs();
    // WHEN
    const r = await preview(argv());
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(previewTempDirs()).toEqual(before);
  });

  test('fails when the private key next to the .pub is missing, naming it', async () => {
    // GIVEN
    rmSync(path.join(dir, 'id'));
    // WHEN
    const r = await preview([path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id.pub')]);
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the private key ${path.join(dir, 'id')} for --ssh-key ${path.join(dir, 'id.pub')} is missing`);
  });

  test('fails when the private key is readable by others, with the chmod to run', async () => {
    // GIVEN
    chmodSync(path.join(dir, 'id'), 0o644);
    // WHEN
    const r = await preview([path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id.pub')]);
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`chmod 600 ${path.join(dir, 'id')}`);
  });

  test('fails when user-data is over 64 KiB (the DigitalOcean limit)', async () => {
    // GIVEN
    writeFileSync(path.join(dir, 'ud'), Buffer.alloc(64 * 1024 + 1, 'a'));
    // WHEN
    const r = await preview([path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id.pub'), '--user-data', path.join(dir, 'ud')]);
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/65537 bytes; DigitalOcean accepts at most 65536/);
  });
});
