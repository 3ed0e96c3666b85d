import { outputFormat } from '../../src/builder/output-format';

describe('outputFormat', () => {
  test('takes --format and --compress over the output name', () => {
    expect(outputFormat('vm.qcow2.gz', 'vmdk', 'none')).toEqual({ format: 'vmdk', compression: 'none' });
  });

  test('fails when --compress is not one it writes', () => {
    expect(() => outputFormat('vm.img', undefined, 'xz')).toThrow(/^--compress xz is not supported; use one of none, gzip, bzip2$/);
  });

  test.each(['vm.constructor', 'vm.img.constructor', 'vm.tostring'])('fails when the extension of %s only names an Object property', (output) => {
    expect(() => outputFormat(output, undefined, undefined)).toThrow(/the extension \.\w+ is not one this tool writes/);
  });
});

describe('outputFormat of packages', () => {
  test.each([['vm.ova', 'ova'], ['VM.OVA', 'ova'], ['vm.box', 'vagrant-libvirt'], ['vm.img', 'raw']])('reads %s as %s, uncompressed', (output, format) => {
    expect(outputFormat(output, undefined, undefined)).toEqual({ format, compression: 'none' });
  });

  test('writes a box under any name with --format vagrant-libvirt', () => {
    expect(outputFormat('my-box', 'vagrant-libvirt', undefined)).toEqual({ format: 'vagrant-libvirt', compression: 'none' });
  });

  test.each([
    ['vm.ova.gz', undefined, undefined, /^--output vm\.ova\.gz: ova is a tar package .*\(gzip asked\); build it without compression \(\.ova\)/],
    ['vm.box.bz2', undefined, undefined, /^--output vm\.box\.bz2: vagrant-libvirt is a tar package .*\(bzip2 asked\)/],
    ['vm.box', undefined, 'gzip', /^--output vm\.box --compress gzip: vagrant-libvirt is a tar package/],
    ['vm.qcow2', 'ova', 'bzip2', /^--output vm\.qcow2 --compress bzip2: ova is a tar package/],
  ])('fails when a package is to be compressed: %s --format %s --compress %s', (output, format, compress, message) => {
    expect(() => outputFormat(output, format, compress)).toThrow(message);
  });
});
