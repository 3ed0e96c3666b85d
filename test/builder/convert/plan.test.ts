import { LIBDEFLATE_MAX_INPUT_BYTES, artifactFileName, chooseGzipTool, planConvert } from '../../../src/builder/convert/plan';
import { CompressionName, DISK_FORMATS, DiskFormatName, qemuFormatName } from '../../../src/builder/spec';

describe('planConvert', () => {
  test.each([
    ['raw', 'raw'],
    ['qcow2', 'qcow2'],
    ['vmdk', 'vmdk'],
    ['vhdx', 'vhdx'],
    ['vdi', 'vdi'],
    ['vhd', 'vpc'],
  ] as Array<[DiskFormatName, string]>)('names format %s %s for qemu-img', (format, name) => {
    expect(qemuFormatName(format)).toBe(name);
  });

  test('covers every supported format', () => {
    for (const f of DISK_FORMATS) expect(typeof qemuFormatName(f)).toBe('string');
  });

  test.each([
    ['qcow2', 'qcow2', []],
    ['vmdk', 'vmdk', []],
    ['vhdx', 'vhdx', []],
    ['vdi', 'vdi', []],
    ['vhd', 'vpc', ['-o', 'subformat=dynamic']],
  ] as Array<[DiskFormatName, string, string[]]>)('converts the raw disk to %s with qemu-img -O %s', (format, name, options) => {
    // WHEN
    const plan = planConvert(format, 'none', '/in/disk.raw', '/tmp/t');
    // THEN
    expect(plan.convert).toEqual({
      tool: 'qemu-img',
      args: ['convert', '-q', '-f', 'raw', '-O', name, ...options, '/in/disk.raw', plan.artifact],
    });
    expect(plan.compress).toBeUndefined();
  });

  test('copies a raw output sparsely instead of converting it', () => {
    // WHEN
    const plan = planConvert('raw', 'none', '/in/disk.raw', '/tmp/t');
    // THEN
    expect(plan.artifact).toBe('/tmp/t/disk.img');
    expect(plan.convert).toEqual({ tool: 'cp', args: ['--reflink=auto', '--sparse=always', '--', '/in/disk.raw', '/tmp/t/disk.img'] });
  });

  test.each([
    ['raw', 'none', 'disk.img'],
    ['raw', 'gzip', 'disk.img.gz'],
    ['raw', 'bzip2', 'disk.img.bz2'],
    ['qcow2', 'gzip', 'disk.qcow2.gz'],
    ['vhd', 'bzip2', 'disk.vhd.bz2'],
    ['vmdk', 'none', 'disk.vmdk'],
  ] as Array<[DiskFormatName, CompressionName, string]>)('names the %s artifact with %s compression %s', (format, compression, name) => {
    expect(artifactFileName(format, compression)).toBe(name);
    expect(planConvert(format, compression, '/in/disk.raw', '/tmp/t').artifact).toBe(`/tmp/t/${name}`);
  });

  test.each(['libdeflate-gzip', 'pigz', 'gzip'] as const)('compresses gzip deterministically (-n, level 6) with %s', tool => {
    // WHEN
    const plan = planConvert('qcow2', 'gzip', '/in/disk.raw', '/tmp/t', tool);
    // THEN: qemu-img writes the uncompressed image, the compressor writes the artifact
    expect(plan.convert.args.at(-1)).toBe('/tmp/t/disk.qcow2');
    expect(plan.compress).toEqual({ tool, args: ['-6', '-n', '-c', '/tmp/t/disk.qcow2'], stdoutFile: '/tmp/t/disk.qcow2.gz' });
  });

  test('compresses bzip2 from the uncompressed image to the artifact', () => {
    // WHEN
    const plan = planConvert('raw', 'bzip2', '/in/disk.raw', '/tmp/t', 'pigz');
    // THEN
    expect(plan.convert.args.at(-1)).toBe('/tmp/t/disk.img');
    expect(plan.compress).toEqual({ tool: 'bzip2', args: ['-9', '-c', '/tmp/t/disk.img'], stdoutFile: '/tmp/t/disk.img.bz2' });
  });
});

describe('chooseGzipTool', () => {
  const only = (...tools: string[]) => (t: string) => tools.includes(t);

  test.each([
    ['libdeflate-gzip', 1e9, only('libdeflate-gzip', 'pigz', 'gzip')],
    ['pigz', LIBDEFLATE_MAX_INPUT_BYTES + 1, only('libdeflate-gzip', 'pigz', 'gzip')],
    ['pigz', 1e9, only('pigz', 'gzip')],
    ['gzip', 1e9, only('gzip')],
    ['gzip', LIBDEFLATE_MAX_INPUT_BYTES + 1, only('libdeflate-gzip', 'gzip')],
  ] as const)('picks %s for %d allocated bytes', (tool, bytes, installed) => {
    expect(chooseGzipTool(bytes, installed)).toBe(tool);
  });
});
