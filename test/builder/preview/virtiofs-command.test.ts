import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/builder/cli';
import { parseArgs } from '../../../src/builder/cli-args';
import { SpecError } from '../../../src/builder/common/errors';
import { virtiofsSpecFromArgs } from '../../../src/builder/preview/virtiofs-command';

const SWITCHES = new Set(['virtiofs', 'direct-kernel', 'exit-when-ready', 'no-app-service']);

function spec(argv: string[]) {
  return virtiofsSpecFromArgs(parseArgs(['preview', ...argv], SWITCHES), '/work');
}

describe('virtiofsSpecFromArgs', () => {
  test('a Dockerfile source becomes the rootfs stage build makes, with the digitalocean profile', () => {
    // WHEN
    const s = spec(['--virtiofs', '--dockerfile', 'app/Dockerfile', '--build-arg', 'V=1']);
    // THEN
    expect(s).toEqual({
      stage: 'rootfs',
      source: { kind: 'dockerfile', contextDir: '/work/app', dockerfile: 'Dockerfile', buildArgs: { V: '1' }, target: undefined },
      vm: { inject: 'auto', profile: 'digitalocean', appService: true },
    });
  });

  test('--profile, --inject and --no-app-service are build\'s', () => {
    // WHEN
    const s = spec(['--virtiofs', '--image', 'debian:bookworm', '--profile', 'generic', '--inject', 'never', '--no-app-service']);
    // THEN
    expect(s.source).toEqual({ kind: 'image', reference: 'debian:bookworm' });
    expect(s.vm).toEqual({ inject: 'never', profile: 'generic', appService: false });
  });

  test.each([
    ['an IMAGE file', ['--virtiofs', 'vm.qcow2', '--image', 'x:1'], /--virtiofs boots a source .*not an IMAGE file \(vm\.qcow2\); drop vm\.qcow2, or drop --virtiofs/],
    ['no source', ['--virtiofs', '--ssh-key', 'k.pub'], /preview --virtiofs needs a source: --dockerfile FILE, --image REF or --tar FILE/],
    ['--direct-kernel', ['--virtiofs', '--direct-kernel', '--image', 'x:1'], /--virtiofs always boots the image's kernel and initrd directly; drop --direct-kernel/],
    ['--disk-size', ['--virtiofs', '--disk-size', '10G', '--image', 'x:1'], /no disk, so there is no disk size; drop --disk-size/],
    ['--spec', ['--virtiofs', '--spec', 'p.json', '--image', 'x:1'], /not a --spec; drop one of them/],
    ['two sources', ['--virtiofs', '--image', 'x:1', '--tar', 'r.tar'], /give exactly one source: .*got --image and --tar/],
    ['a bad profile', ['--virtiofs', '--image', 'x:1', '--profile', 'aws'], /--profile aws is not supported; use one of generic, digitalocean/],
  ])('refuses %s with a SpecError that names the fix', (_name, argv, message) => {
    // WHEN / THEN
    expect(() => spec(argv)).toThrow(SpecError);
    expect(() => spec(argv)).toThrow(message);
  });
});

describe('preview --virtiofs on the command line', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cdvm-virtiofs-cli-'));
    writeFileSync(path.join(dir, 'id.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8hW2q0v3Xz t@test\n');
    writeFileSync(path.join(dir, 'id'), 'private', { mode: 0o600 });
    mkdirSync(path.join(dir, 'cache'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function preview(argv: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (chunk: string) => { stderr += chunk; return true; } },
    } as unknown as Parameters<typeof main>[1];
    const code = await main(['preview', '--quiet', '--cache-dir', path.join(dir, 'cache'), ...argv], io);
    return { code, stderr };
  }

  test.each([
    ['--virtiofs with an IMAGE file', () => ['--virtiofs', path.join(dir, 'vm.qcow2'), '--ssh-key', path.join(dir, 'id.pub')], /not an IMAGE file/],
    ['--virtiofs without a source', () => ['--virtiofs', '--ssh-key', path.join(dir, 'id.pub')], /needs a source/],
    ['--virtiofs with --direct-kernel', () => ['--virtiofs', '--direct-kernel', '--dockerfile', path.join(dir, 'Dockerfile')], /drop --direct-kernel/],
    ['--virtiofs without --ssh-key', () => ['--virtiofs', '--dockerfile', path.join(dir, 'Dockerfile')], /preview --virtiofs needs --ssh-key FILE\.pub/],
    ['a missing Dockerfile', () => ['--virtiofs', '--dockerfile', path.join(dir, 'Dockerfile'), '--ssh-key', path.join(dir, 'id.pub')], /--dockerfile .*Dockerfile/],
    ['a source flag without --virtiofs', () => ['--dockerfile', path.join(dir, 'Dockerfile'), '--ssh-key', path.join(dir, 'id.pub')], /--dockerfile is a source flag of preview --virtiofs; add --virtiofs/],
  ])('%s: exit 2 with the message, no stack trace, nothing built or exported', async (_name, argv, message) => {
    // WHEN
    const r = await preview(argv());
    // THEN
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(path.join(dir, 'cache')).filter(n => n === 'rootfs')).toEqual([]);
  });
});
