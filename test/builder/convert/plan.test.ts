import { artifactFileName, chooseGzipTool, planConvert } from '../../../src/builder/convert/plan';
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
    expect(plan.gzip).toBeUndefined();
    expect(plan.bzip2).toBeUndefined();
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

  test.each(['libdeflate-gzip', 'gzip'] as const)('compresses gzip from the converted image with %s', tool => {
    // WHEN
    const plan = planConvert('qcow2', 'gzip', '/in/disk.raw', '/tmp/t', tool);
    // THEN: qemu-img writes the uncompressed image, the compressor reads it and writes the artifact
    expect(plan.convert!.args.at(-1)).toBe('/tmp/t/disk.qcow2');
    expect(plan.image).toBe('/tmp/t/disk.qcow2');
    expect(plan.gzip).toBe(tool);
    expect(plan.artifact).toBe('/tmp/t/disk.qcow2.gz');
  });

  test.each(['gzip', 'bzip2'] as const)('compresses a raw image with %s straight from the bootable disk, with no copy', compression => {
    // WHEN
    const plan = planConvert('raw', compression, '/in/disk.raw', '/tmp/t', 'libdeflate-gzip');
    // THEN
    expect(plan.convert).toBeUndefined();
    expect(plan.image).toBe('/in/disk.raw');
  });

  test('compresses bzip2 from the uncompressed image to the artifact', () => {
    // WHEN
    const plan = planConvert('vmdk', 'bzip2', '/in/disk.raw', '/tmp/t');
    // THEN
    expect(plan.convert!.args.at(-1)).toBe('/tmp/t/disk.vmdk');
    expect(plan.bzip2).toEqual({ tool: 'bzip2', args: ['-9', '-c', '/tmp/t/disk.vmdk'], stdoutFile: '/tmp/t/disk.vmdk.bz2' });
    expect(plan.gzip).toBeUndefined();
  });
});

describe('chooseGzipTool', () => {
  const only = (...tools: string[]) => (t: string) => tools.includes(t);

  test.each([
    ['libdeflate-gzip', only('libdeflate-gzip', 'pigz', 'gzip')],
    ['gzip', only('pigz', 'gzip')],
    ['gzip', only()],
  ] as const)('picks %s', (tool, installed) => {
    expect(chooseGzipTool(installed)).toBe(tool);
  });
});

describe('planConvert of a package', () => {
  test('writes a streamOptimized VMDK named as the OVA references it, then packages it as disk.ova', () => {
    // WHEN
    const plan = planConvert('ova', 'none', '/in/disk.raw', '/tmp/t');
    // THEN
    expect(plan).toEqual({
      artifact: '/tmp/t/disk.ova',
      image: '/tmp/t/disk1.vmdk',
      convert: { tool: 'qemu-img', args: ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', '/in/disk.raw', '/tmp/t/disk1.vmdk'] },
      gzip: undefined,
      bzip2: undefined,
      packager: 'ova',
    });
  });

  test('writes a qcow2 box.img, then packages it as disk.box', () => {
    // WHEN
    const plan = planConvert('vagrant-libvirt', 'none', '/in/disk.raw', '/tmp/t');
    // THEN
    expect(plan).toMatchObject({
      artifact: '/tmp/t/disk.box',
      image: '/tmp/t/box.img',
      convert: { tool: 'qemu-img', args: ['convert', '-q', '-f', 'raw', '-O', 'qcow2', '/in/disk.raw', '/tmp/t/box.img'] },
      packager: 'vagrant-libvirt',
    });
  });

  test('bare formats have no packager', () => {
    expect(planConvert('vmdk', 'none', '/in/disk.raw', '/tmp/t').packager).toBeUndefined();
  });
});
