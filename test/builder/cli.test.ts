import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fakeIo } from './support/fake-io';
import { main, unexpectedError } from '../../src/builder/cli';
import { SPEC_FILE_VERSION } from '../../src/builder/spec';

describe('main', () => {
  test('prints the version and exits 0 for --version', async () => {
    // GIVEN
    const { io, out } = fakeIo();
    // WHEN
    const code = await main(['--version'], io);
    // THEN
    expect(code).toBe(0);
    expect(out.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(out.stderr).toBe('');
  });

  test.each([[['--help']], [['-h']], [['help']], [['build', '--help']]])('prints the usage and exits 0 for %j', async (argv) => {
    // GIVEN
    const { io, out } = fakeIo();
    // WHEN
    const code = await main(argv, io);
    // THEN
    expect(code).toBe(0);
    expect(out.stdout).toContain('Usage\n  cdktf-docker-vm build SOURCE --output FILE');
    expect(out.stdout).toContain('Examples');
  });

  test('prints the usage and exits 2 without a command', async () => {
    const { io, out } = fakeIo();
    expect(await main([], io)).toBe(2);
    expect(out.stdout).toContain('Usage');
  });

  test('fails when the command is unknown: exit 2', async () => {
    // GIVEN
    const { io, out } = fakeIo();
    // WHEN
    const code = await main(['frobnicate'], io);
    // THEN
    expect(code).toBe(2);
    expect(out.stderr).toBe('cdktf-docker-vm: error: unknown command frobnicate; use build, run, boot, check, preview, libvirt-xml, wait-ready, upload-image, seal-image, delete-image-object, probe-image-url, remove-artifact, write-libvirt-xml, remove-libvirt-xml or cache (see cdktf-docker-vm --help)\n');
    expect(out.stdout).toBe('');
  });

  test.each([
    [['check'], /check needs exactly one IMAGE; example: cdktf-docker-vm check upload.qcow2.gz/],
    [['check', 'a.img', 'b.img'], /check needs exactly one IMAGE, got 2/],
    [['check', 'a.img', '--format', 'iso'], /--format iso is not supported; use one of raw, qcow2, vmdk, vhdx, vdi, vhd/],
    [['check', 'a.img', '--size', '4G'], /unknown option --size for check/],
  ])('check fails on bad usage %j: exit 2', async (argv, message) => {
    // GIVEN
    const { io, out } = fakeIo();
    // WHEN
    const code = await main(argv, io);
    // THEN
    expect(code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stdout).toBe('');
  });

  test('preview --spec refuses a stage spec with no preview metadata, and an IMAGE next to --spec', async () => {
    // GIVEN a plain stage spec file (what local-exec runs), not a LocalPreview's
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-preview-spec-'));
    const file = path.join(dir, 'disk.json');
    writeFileSync(file, JSON.stringify({ specFileVersion: SPEC_FILE_VERSION, spec: { stage: 'rootfs', source: { kind: 'tar', path: 'x.tar' } } }));
    const { io, out } = fakeIo();
    // WHEN / THEN
    expect(await main(['preview', '--spec', file], io)).toBe(2);
    expect(out.stderr).toMatch(/spec file \S+disk\.json has no preview metadata; pass the <fingerprint>-preview\.json file a LocalPreview construct writes/);
    rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    [['build', '--bogus', 'x'], '--bogus'],
    [['run', '--output', 'x'], '--output'],
    [['boot', 'img', '--size', '4G'], '--size'],
  ])('fails when an option is unknown for the command: %j exits 2 naming %s', async (argv, name) => {
    // GIVEN
    const { io, out } = fakeIo();
    // WHEN
    const code = await main(argv, io);
    // THEN
    expect(code).toBe(2);
    expect(out.stderr).toContain(`unknown option ${name} for ${argv[0]}`);
  });

  test('fails when a build has no source: exit 2 before any work', async () => {
    const { io, out } = fakeIo();
    expect(await main(['build', '--output', 'x.img'], io)).toBe(2);
    expect(out.stderr).toContain('give exactly one source');
  });

  test('fails when run has no --spec: exit 2', async () => {
    const { io, out } = fakeIo();
    expect(await main(['run'], io)).toBe(2);
    expect(out.stderr).toContain('--spec FILE is required');
  });

  test('leaves no signal handlers behind', async () => {
    // GIVEN
    const before = process.listenerCount('SIGINT');
    // WHEN
    await main(['--version'], fakeIo().io);
    await main(['frobnicate'], fakeIo().io);
    // THEN
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('main refuses bad input with one line naming it and the fix', () => {
  let dir: string;
  const at = (name: string) => path.join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-bad-input-'));
    mkdirSync(at('a-dir'));
    writeFileSync(at('empty'), '');
    writeFileSync(at('notes.txt'), 'not a tar\n'.repeat(100));
    writeFileSync(at('rootfs.tar.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(600)]));
    writeFileSync(at('vm.qcow2'), Buffer.alloc(1024));
    writeFileSync(at('Dockerfile'), 'FROM debian:bookworm\n');
    const spec = (body: unknown) => JSON.stringify(body);
    writeFileSync(at('wrong-shape.json'), spec({ specFileVersion: SPEC_FILE_VERSION, spec: { stage: 'disk', sizeGiB: '10; rm -rf /' } }));
    writeFileSync(at('bad-stage.json'), spec({ specFileVersion: SPEC_FILE_VERSION, spec: { stage: 'iso' } }));
    writeFileSync(at('bad-kind.json'), spec({ specFileVersion: SPEC_FILE_VERSION, spec: { stage: 'rootfs', source: { kind: 'ftp', url: 'x' } } }));
    writeFileSync(at('extra-field.json'), spec({ specFileVersion: SPEC_FILE_VERSION, spec: { stage: 'rootfs', source: { kind: 'tar', path: 'x.tar' } }, outptu: 'x' }));
    writeFileSync(at('small-boot.json'), spec({
      specFileVersion: SPEC_FILE_VERSION,
      spec: { stage: 'disk', partitionTable: 'mbr', bootPartitionMiB: 16, rootfs: { stage: 'rootfs', source: { kind: 'image', reference: 'debian:bookworm' } } },
    }));
    writeFileSync(at('tar-is-dir.json'), spec({ specFileVersion: SPEC_FILE_VERSION, spec: { stage: 'rootfs', source: { kind: 'tar', path: 'a-dir' } } }));
    writeFileSync(at('tar-is-text.json'), spec({ specFileVersion: SPEC_FILE_VERSION, spec: { stage: 'rootfs', source: { kind: 'tar', path: 'notes.txt' } } }));
    writeFileSync(at('string.json'), '"spec"');
    writeFileSync(at('array.json'), '[1, 2]');
    writeFileSync(at('truncated.json'), '{"specFileVersion": 1, "spec": {');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each<[string, () => string[], RegExp]>([
    ['a spec of the wrong shape', () => ['run', '--spec', at('wrong-shape.json')],
      /spec file \S+wrong-shape\.json is not valid: spec\.sizeGiB is not a known field \(got "10; rm -rf \/"\); spec\.rootfs is missing .*synthesize the stack again/],
    ['a spec with an unknown stage', () => ['run', '--spec', at('bad-stage.json')], /spec\.stage must be one of "rootfs", "disk", "bootloader", "convert", got "iso"/],
    ['a spec with an unknown source kind', () => ['run', '--spec', at('bad-kind.json')], /spec\.source\.kind must be one of "dockerfile", "image", "tar", got "ftp"/],
    ['a spec with a misspelt field', () => ['run', '--spec', at('extra-field.json')], /outptu is not a known field \(got "x"\)/],
    ['a spec with a boot partition below 32 MiB', () => ['run', '--spec', at('small-boot.json')], /spec\.bootPartitionMiB must be at least 32, got 16/],
    ['a spec that is a JSON string', () => ['run', '--spec', at('string.json')], /spec file \S+string\.json has version nothing, this builder reads 1/],
    ['a spec that is a JSON array', () => ['run', '--spec', at('array.json')], /has version nothing/],
    ['a spec cut short', () => ['run', '--spec', at('truncated.json')], /cannot read spec file \S+truncated\.json \(.*JSON.*\); synthesize the stack again/],
    ['a spec that is a directory', () => ['run', '--spec', at('a-dir')], /cannot read spec file \S+a-dir \(EISDIR/],
    ['a spec whose rootfs tar is a directory', () => ['run', '--spec', at('tar-is-dir.json')], /the spec's rootfs tar \S+a-dir is a directory, not a file; give a root filesystem tar/],
    ['a spec whose rootfs tar is a text file', () => ['run', '--spec', at('tar-is-text.json')], /the spec's rootfs tar \S+notes\.txt is not a tar file/],
    ['build --kernel-arg ""', () => ['build', '--image', 'debian:bookworm', '--kernel-arg', '', '--output', at('out.img')], /--kernel-arg "" must be one non-empty word without spaces/],
    ['build --kernel-arg "a b"', () => ['build', '--image', 'debian:bookworm', '--kernel-arg', 'a b', '--output', at('out.img')], /--kernel-arg "a b" must be one non-empty word/],
    ['a missing boot image', () => ['boot', at('nonexistent.qcow2')], /^cdktf-docker-vm: error: image \S+nonexistent\.qcow2 does not exist; build one with: cdktf-docker-vm build/],
    ['a boot image that is a directory', () => ['boot', at('a-dir')], /image \S+a-dir is a directory, not a file; build one with/],
    ['boot --timeout abc', () => ['boot', at('vm.qcow2'), '--timeout', 'abc'], /--timeout abc must be a positive number of seconds, at most 86400; write it like --timeout 600/],
    ['boot --timeout 0', () => ['boot', at('vm.qcow2'), '--timeout', '0'], /--timeout 0 must be a positive number of seconds/],
    ['boot --timeout -5', () => ['boot', at('vm.qcow2'), '--timeout', '-5'], /--timeout -5 must be a positive number of seconds/],
    ['boot --memory 0', () => ['boot', at('vm.qcow2'), '--memory', '0'], /--memory 0 must be a whole number from 64 to \d+; write it like --memory 1024/],
    ['boot --memory huge', () => ['boot', at('vm.qcow2'), '--memory', '999999999999'], /--memory 999999999999 must be a whole number from 64 to \d+/],
    ['boot --until (', () => ['boot', at('vm.qcow2'), '--until', '('], /--until \( is not a valid regular expression \(.*\); write it like --until/],
    ['boot with two images', () => ['boot', at('vm.qcow2'), at('vm.qcow2')], /unexpected argument \S+vm\.qcow2; boot takes one IMAGE/],
    ['a missing check image', () => ['check', at('nonexistent.qcow2')], /cannot read image \S+nonexistent\.qcow2 \(it does not exist\); give the path of a disk image/],
    ['a check image that is a directory', () => ['check', at('a-dir')], /cannot read image \S+a-dir \(it is a directory\)/],
    ['a preview image that is a directory', () => ['preview', at('a-dir'), '--ssh-key', at('id.pub')], /image \S+a-dir is a directory, not a file/],
    ['preview --timeout abc', () => ['preview', at('vm.qcow2'), '--ssh-key', at('id.pub'), '--timeout', 'abc'], /--timeout abc must be a positive number of seconds/],
    ['preview --memory 0', () => ['preview', at('vm.qcow2'), '--ssh-key', at('id.pub'), '--memory', '0'], /--memory 0 must be a whole number from 64/],
    ['build --tar of a directory', () => ['build', '--tar', at('a-dir'), '--output', at('out.img')], /--tar \S+a-dir is a directory, not a file; give a root filesystem tar, made with: docker export/],
    ['build --tar of a text file', () => ['build', '--tar', at('notes.txt'), '--output', at('out.img')], /--tar \S+notes\.txt is not a tar file; give a root filesystem tar/],
    ['build --tar of an empty file', () => ['build', '--tar', at('empty'), '--output', at('out.img')], /--tar \S+empty is empty; give a root filesystem tar/],
    ['build --tar of a gzip', () => ['build', '--tar', at('rootfs.tar.gz'), '--output', at('out.img')], /is not a tar file \(it is gzip-compressed: gunzip it first\)/],
    ['build --tar of a missing file', () => ['build', '--tar', at('nope.tar'), '--output', at('out.img')], /--tar \S+nope\.tar does not exist/],
    ['build --dockerfile of a missing file', () => ['build', '--dockerfile', at('nope/Dockerfile'), '--output', at('out.img')], /--dockerfile \S+nope\/Dockerfile does not exist; give the path of a Dockerfile/],
    ['build --context of a file', () => ['build', '--dockerfile', at('Dockerfile'), '--context', at('notes.txt'), '--output', at('out.img')],
      /--context \S+notes\.txt is a file, not a directory; give the build context directory/],
    ['build --output of a directory', () => ['build', '--image', 'debian:bookworm', '--output', at('a-dir'), '--format', 'raw'], /--output \S+a-dir is a directory; give a file name like --output \S+a-dir\/vm\.qcow2/],
    ['build --output under a file', () => ['build', '--image', 'debian:bookworm', '--output', at('notes.txt/vm.img')], /--output \S+vm\.img is inside \S+notes\.txt, which is a file, not a directory/],
    ['build --output vm.iso', () => ['build', '--image', 'debian:bookworm', '--output', at('vm.iso')], /the extension \.iso is not one this tool writes/],
    ['build --image bad!!ref', () => ['build', '--image', 'bad!!ref', '--output', at('out.img')], /--image "bad!!ref" is not an image reference; write it like debian:bookworm/],
  ])('fails when given %s: exit 2', async (_what, argv, message) => {
    // GIVEN
    const { io, out } = fakeIo();
    const before = readdirSync(dir).sort();
    // WHEN
    const code = await main(argv(), io);
    // THEN
    expect(code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).toMatch(/^cdktf-docker-vm: error: [^\n]+\n$/);
    expect(out.stderr).not.toMatch(/^\s+at /m);
    expect(out.stdout).toBe('');
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});

describe('unexpectedError', () => {
  test('names the bug and the debug switch, and shows no stack by default', () => {
    const text = unexpectedError(new TypeError('boom'), {});
    expect(text).toMatch(/^cdktf-docker-vm: unexpected error: boom\n {2}this is a bug in cdktf-docker-vm: please report it .*CDKTF_DOCKER_VM_DEBUG=1/);
    expect(text).not.toMatch(/^\s+at /m);
  });

  test('shows the stack with CDKTF_DOCKER_VM_DEBUG=1', () => {
    expect(unexpectedError(new TypeError('boom'), { CDKTF_DOCKER_VM_DEBUG: '1' })).toMatch(/TypeError: boom\n\s+at /);
  });

  test('--help names CDKTF_DOCKER_VM_DEBUG', async () => {
    const { io, out } = fakeIo();
    await main(['--help'], io);
    expect(out.stdout).toContain('CDKTF_DOCKER_VM_DEBUG=1');
  });
});
