import { checkFlags, parseArgs } from '../../../src/builder/cli-args';
import { build as buildCommand } from '../../../src/builder/commands/build';
import { buildSpecFromArgs, parseSizeMiB } from '../../../src/builder/commands/build-spec';
import { SWITCHES } from '../../../src/builder/commands/table';
import { SpecError } from '../../../src/builder/common/errors';
import { ConvertSpec } from '../../../src/builder/spec';

function build(argv: string[], cwd = '/work'): { spec: ConvertSpec; output: string } {
  const args = parseArgs(['build', ...argv], SWITCHES);
  checkFlags(args, buildCommand.flags);
  const r = buildSpecFromArgs(args, cwd);
  return { spec: r.spec as ConvertSpec, output: r.output };
}

describe('parseSizeMiB', () => {
  test.each([
    ['4G', 4096],
    ['2048M', 2048],
    ['1.5G', 1536],
    ['512MiB', 512],
    ['2gb', 2048],
    ['64M', 64],
    ['4096', 4096],
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
    ['x', 'raw', 'none'],
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

  test('--root-fs xfs reaches the disk spec; ext4 (the default) stays out of it, so ext4 fingerprints are unchanged', () => {
    expect(build(['--image', 'debian:12', '--output', 'x.img', '--root-fs', 'xfs']).spec.bootloader.disk.rootFilesystem).toBe('xfs');
    expect(build(['--image', 'debian:12', '--output', 'x.img', '--root-fs', 'ext4']).spec.bootloader.disk).not.toHaveProperty('rootFilesystem');
    expect(build(['--image', 'debian:12', '--output', 'x.img']).spec.bootloader.disk).not.toHaveProperty('rootFilesystem');
  });

  test('fails when --root-fs is unknown, or xfs is asked for DigitalOcean', () => {
    expect(() => build(['--image', 'debian:12', '--output', 'x.img', '--root-fs', 'btrfs'])).toThrow('--root-fs btrfs is not supported; use one of ext4, xfs');
    expect(() => build(['--image', 'debian:12', '--output', 'x.img', '--root-fs', 'xfs', '--profile', 'digitalocean']))
      .toThrow(/--root-fs xfs cannot be used with --profile digitalocean: DigitalOcean needs ext3 or ext4 .*use --root-fs ext4/);
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
    [['--boot-size', '1.5'], /--boot-size 1.5 must be a whole number from 32 to 65536; write it like --boot-size 256/],
    [['--boot-size', '0'], /--boot-size 0 must be a whole number from 32/],
    [['--boot-size', '16'], /--boot-size 16 must be a whole number from 32/],
    [['--boot-size', '1e9'], /--boot-size 1e9 must be a whole number from 32 to 65536/],
    [['--boot-size', 'NaN'], /--boot-size NaN must be a whole number/],
    [['--boot-size', ''], /--boot-size "" must be a whole number/],
    [['--size', '0G'], /--size 0G is below 64 MiB; use auto or a larger size/],
    [['--size', '99999999G'], /--size 99999999G is above 16 TiB/],
  ])('fails when an option value is not supported: %j', (argv, message) => {
    expect(() => build(['--image', 'i', '--output', 'o.img', ...argv])).toThrow(message);
  });

  test.each([
    [['--image', ''], /--image is empty; give an image reference like debian:bookworm/],
    [['--image', 'bad!!ref'], /--image "bad!!ref" is not an image reference; write it like debian:bookworm/],
    [['--dockerfile', 'D', '--target', ''], /--target is empty/],
  ])('fails when a value is empty: %j', (argv, message) => {
    expect(() => build(['--output', 'o.img', ...argv])).toThrow(message);
  });

  test.each([
    ['', /--output FILE is required/],
    ['vm.iso', /--output vm\.iso: the extension \.iso is not one this tool writes; use \.img, \.raw, \.qcow2.*\.ova, \.box .*or pass --format/],
    ['vm.tar.gz', /the extension \.tar is not one this tool writes/],
  ])('fails when the output name is %j and no --format is given', (output, message) => {
    expect(() => build(['--image', 'i', '--output', output])).toThrow(message);
  });

  test('takes any output name when --format is given', () => {
    expect(build(['--image', 'i', '--output', 'vm.iso', '--format', 'vmdk']).spec.format).toBe('vmdk');
  });

  test.each([
    ['a path with no extension', 'vm', 'raw'],
    ['upper-case extension', 'VM.QCOW2', 'qcow2'],
  ])('reads the format from %s', (_what, output, format) => {
    expect(build(['--image', 'i', '--output', output]).spec.format).toBe(format);
  });

});
