import { SpecError } from '../../src/builder/common/errors';
import { choice, diskFormat, imageReference, readSizeMiB } from '../../src/builder/flag-values';

describe('choice', () => {
  test('returns a value that is one of the allowed', () => {
    expect(choice('firmware', 'uefi', ['bios', 'uefi'])).toBe('uefi');
  });

  test('fails when the value is not one of them, naming the flag, the value and the choices', () => {
    expect(() => choice('firmware', 'efi', ['bios', 'uefi'])).toThrow(SpecError);
    expect(() => choice('firmware', 'efi', ['bios', 'uefi'])).toThrow(/^--firmware efi is not supported; use one of bios, uefi$/);
  });

  test('fails with what leaving the flag out does, when given', () => {
    expect(() => choice('format', 'iso', ['raw'], 'leave it out to detect it')).toThrow(/^--format iso is not supported; use one of raw, or leave it out to detect it$/);
  });
});

describe('diskFormat', () => {
  test('is undefined when --format is not given', () => {
    expect(diskFormat(undefined)).toBeUndefined();
  });

  test('fails when the format is not one this tool writes', () => {
    expect(() => diskFormat('iso')).toThrow(/^--format iso is not supported; use one of raw, qcow2, vmdk, vhdx, vdi, vhd, ova, vagrant-libvirt$/);
  });
});

describe('readSizeMiB', () => {
  test.each([
    ['4G', 4096],
    ['2048M', 2048],
    ['1.5G', 1536],
    ['0.5M', 1],
    ['512MiB', 512],
    ['2GiB', 2048],
    ['4Gi', 4096],
    ['2gb', 2048],
    [' 25 G ', 25600],
    ['512', 512],
    ['0G', 0],
  ])('reads %j as %j MiB', (text, mib) => {
    expect(readSizeMiB(text)).toBe(mib);
  });

  test.each(['', 'big', '4T', '-1G', '1e3M', '5B', 'G', '4 G B'])('is undefined when %j is not a size', (text) => {
    expect(readSizeMiB(text)).toBeUndefined();
  });
});

describe('imageReference', () => {
  test.each([
    'debian',
    'debian:bookworm',
    'library/debian:12.5-slim',
    'registry.example.com:5000/team/app:1.4',
    'localhost:5000/a_b/c__d/e--f:v1',
    '[::1]:5000/app',
    `debian:bookworm@sha256:${'0a'.repeat(32)}`,
    `sha256:${'0a'.repeat(32)}`,
    'fdb8c352a896',
  ])('takes %s', (reference) => {
    expect(imageReference('image', reference)).toBe(reference);
  });

  test.each(['bad!!ref', 'Debian:12', 'debian:', ':12', 'debian:bookworm ', 'a b', 'a/', '-x', 'debian@sha256:abc', 'a___b', `debian:${'x'.repeat(129)}`])(
    'fails when %j is not an image reference, naming the flag and what one looks like', (reference) => {
      expect(() => imageReference('image', reference)).toThrow(SpecError);
      expect(() => imageReference('image', reference)).toThrow(/^--image ".*" is not an image reference; write it like debian:bookworm, registry\.example\.com:5000\/team\/app:1\.4 or debian@sha256:/);
    });
});
