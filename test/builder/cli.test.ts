import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSpecFromArgs, main, parseArgs, parseSizeMiB } from '../../src/builder/cli';
import { SpecError } from '../../src/builder/common/errors';
import { ConvertSpec, SPEC_FILE_VERSION } from '../../src/builder/spec';

function fakeIo() {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (chunk: string) => { out.stdout += chunk; return true; } },
    stderr: { write: (chunk: string) => { out.stderr += chunk; return true; } },
  } as unknown as Parameters<typeof main>[1];
  return { io, out };
}

function build(argv: string[], cwd = '/work'): { spec: ConvertSpec; output: string } {
  const r = buildSpecFromArgs(parseArgs(['build', ...argv]), cwd);
  return { spec: r.spec as ConvertSpec, output: r.output };
}

describe('parseArgs', () => {
  test('splits the command, positional arguments and repeatable flags', () => {
    // WHEN
    const args = parseArgs(['build', 'extra', '--image', 'debian:12', '--output=out.img', '--json', '--kernel-arg', 'a=1', '--kernel-arg', 'b']);
    // THEN
    expect(args.command).toBe('build');
    expect(args.positional).toEqual(['extra']);
    expect(Object.fromEntries(args.flags)).toEqual({ 'image': ['debian:12'], 'output': ['out.img'], 'json': ['true'], 'kernel-arg': ['a=1', 'b'] });
  });

  test('takes the next argument as the value even when it starts with a dash', () => {
    expect(parseArgs(['build', '--kernel-arg', '--', '--quiet']).flags.get('kernel-arg')).toEqual(['--']);
  });

  test('reads -h as --help', () => {
    expect(parseArgs(['-h']).flags.get('help')).toEqual(['true']);
  });

  test('fails when a flag has no value', () => {
    expect(() => parseArgs(['build', '--output'])).toThrow(SpecError);
    expect(() => parseArgs(['build', '--output'])).toThrow('--output needs a value');
  });
});

describe('parseSizeMiB', () => {
  test.each([
    ['4G', 4096],
    ['2048M', 2048],
    ['1.5G', 1536],
    ['512MiB', 512],
    ['2gb', 2048],
    ['64M', 64],
    ['auto', undefined],
    [undefined, undefined],
  ])('reads %j as %j MiB', (value, mib) => {
    expect(parseSizeMiB(value)).toBe(mib);
  });

  test.each([['big'], ['4T'], ['-1G'], ['']])('fails when the size is %j: not a size', (value) => {
    expect(() => parseSizeMiB(value)).toThrow(SpecError);
    expect(() => parseSizeMiB(value)).toThrow(/is not a size; use auto/);
  });

  test('fails when the size is below 64 MiB', () => {
    expect(() => parseSizeMiB('10M')).toThrow('--size 10M is below 64 MiB');
    expect(() => parseSizeMiB('63M')).toThrow(SpecError);
  });
});

describe('buildSpecFromArgs', () => {
  test.each([
    ['x.qcow2.gz', 'qcow2', 'gzip'],
    ['x.img.bz2', 'raw', 'bzip2'],
    ['x.vhd', 'vhd', 'none'],
    ['x.VMDK', 'vmdk', 'none'],
    ['x.raw', 'raw', 'none'],
    ['x.bin', 'raw', 'none'],
    ['x.gz', 'raw', 'gzip'],
  ])('guesses format and compression from the output name %s: %s, %s', (output, format, compression) => {
    const { spec } = build(['--image', 'debian:12', '--output', output]);
    expect([spec.format, spec.compression]).toEqual([format, compression]);
  });

  test('--firmware uefi reaches the bootloader spec; bios (the default) stays out of it', () => {
    expect(build(['--image', 'debian:12', '--output', 'x.img', '--firmware', 'uefi']).spec.bootloader.firmware).toBe('uefi');
    expect(build(['--image', 'debian:12', '--output', 'x.img', '--firmware', 'bios']).spec.bootloader).not.toHaveProperty('firmware');
    expect(build(['--image', 'debian:12', '--output', 'x.img']).spec.bootloader).not.toHaveProperty('firmware');
  });

  test('fails when --firmware is unknown', () => {
    expect(() => build(['--image', 'debian:12', '--output', 'x.img', '--firmware', 'efi'])).toThrow('--firmware efi is not supported; use one of bios, uefi');
  });

  test('lets explicit --format and --compress win over the output name', () => {
    const { spec } = build(['--image', 'debian:12', '--output', 'x.qcow2.gz', '--format', 'vmdk', '--compress', 'none']);
    expect([spec.format, spec.compression]).toEqual(['vmdk', 'none']);
  });

  test('builds the whole chain with defaults', () => {
    // WHEN
    const { spec, output } = build(['--tar', 'rootfs.tar', '--output', 'out/vm.img']);
    // THEN
    expect(output).toBe('/work/out/vm.img');
    expect(spec).toEqual({
      stage: 'convert',
      format: 'raw',
      compression: 'none',
      bootloader: {
        stage: 'bootloader',
        extraKernelArgs: [],
        disk: {
          stage: 'disk',
          sizeMiB: undefined,
          partitionTable: 'mbr',
          bootPartitionMiB: 128,
          rootfs: {
            stage: 'rootfs',
            source: { kind: 'tar', path: '/work/rootfs.tar' },
            vm: { inject: 'auto', profile: 'generic', appService: true },
          },
        },
      },
    });
  });

  test('passes the VM options through', () => {
    // WHEN
    const { spec } = build(['--image', 'i', '--output', 'o.img', '--inject', 'always', '--profile', 'digitalocean', '--no-app-service']);
    // THEN
    expect(spec.bootloader.disk.rootfs.vm).toEqual({ inject: 'always', profile: 'digitalocean', appService: false });
  });

  test('rejects an unknown --inject or --profile, naming the choices', () => {
    expect(() => build(['--image', 'i', '--output', 'o.img', '--inject', 'sometimes'])).toThrow(/--inject sometimes is not supported; use one of auto, never, always/);
    expect(() => build(['--image', 'i', '--output', 'o.img', '--profile', 'aws'])).toThrow(/--profile aws is not supported; use one of generic, digitalocean/);
  });

  test('passes disk and bootloader options through', () => {
    // WHEN
    const { spec } = build(['--image', 'i', '--output', 'o.img', '--size', '4G', '--partition-table', 'gpt', '--boot-size', '256', '--kernel-arg', 'quiet', '--kernel-arg', 'x=1']);
    // THEN
    const d = spec.bootloader.disk;
    expect([d.sizeMiB, d.partitionTable, d.bootPartitionMiB]).toEqual([4096, 'gpt', 256]);
    expect(spec.bootloader.extraKernelArgs).toEqual(['quiet', 'x=1']);
  });

  test('takes the Dockerfile\'s directory as the context and keeps build args literally', () => {
    // WHEN
    const { spec } = build([
      '--dockerfile', 'app/Dockerfile', '--output', 'o.img',
      '--build-arg', 'EVIL=$(rm -rf /); echo x', '--build-arg', 'EQ=a=b', '--build-arg', 'EMPTY=', '--target', 'vm',
    ]);
    // THEN
    expect(spec.bootloader.disk.rootfs.source).toEqual({
      kind: 'dockerfile',
      contextDir: '/work/app',
      dockerfile: 'Dockerfile',
      target: 'vm',
      buildArgs: { EVIL: '$(rm -rf /); echo x', EQ: 'a=b', EMPTY: '' },
    });
  });

  test('makes the Dockerfile relative to an explicit --context', () => {
    const { spec } = build(['--dockerfile', 'app/docker/Dockerfile', '--context', 'app', '--output', 'o.img']);
    expect(spec.bootloader.disk.rootfs.source).toMatchObject({ contextDir: '/work/app', dockerfile: 'docker/Dockerfile' });
  });

  test.each([
    [['--output', 'o.img'], /give exactly one source: .*\(got none\)/],
    [['--output', 'o.img', '--dockerfile', 'D', '--image', 'i'], /\(got --dockerfile and --image\)/],
    [['--output', 'o.img', '--image', 'i', '--tar', 't'], /\(got --image and --tar\)/],
  ])('fails when not exactly one source is given: %j', (argv, message) => {
    expect(() => build(argv)).toThrow(SpecError);
    expect(() => build(argv)).toThrow(message);
  });

  test.each([['NOEQUALS'], ['=value']])('fails when --build-arg %j is not KEY=VALUE', (kv) => {
    expect(() => build(['--dockerfile', 'D', '--output', 'o.img', '--build-arg', kv])).toThrow(`--build-arg ${kv} is not KEY=VALUE`);
  });

  test('fails when --output is repeated', () => {
    expect(() => build(['--image', 'i', '--output', 'a.img', '--output', 'b.img'])).toThrow('--output was given 2 times; give it once');
  });

  test('fails when --output is missing', () => {
    expect(() => build(['--image', 'i'])).toThrow('--output FILE is required');
  });

  test.each([
    [['--format', 'iso'], /--format iso is not supported; use one of raw, qcow2/],
    [['--compress', 'xz'], /--compress xz is not supported/],
    [['--partition-table', 'apm'], /--partition-table apm is not supported/],
    [['--boot-size', '1.5'], /--boot-size 1.5 is not a whole number/],
    [['--boot-size', '0'], /--boot-size 0 is not a whole number/],
  ])('fails when an option value is not supported: %j', (argv, message) => {
    expect(() => build(['--image', 'i', '--output', 'o.img', ...argv])).toThrow(message);
  });
});

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
    expect(out.stderr).toBe('cdktf-docker-vm: error: unknown command frobnicate; use build, run, boot, check or preview (see cdktf-docker-vm --help)\n');
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
