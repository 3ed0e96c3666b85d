import { SpecError } from '../../src/builder/common/errors';
import { choice, diskFormat, readSizeMiB } from '../../src/builder/flag-values';

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
    expect(() => diskFormat('iso')).toThrow(/^--format iso is not supported; use one of raw, qcow2, vmdk, vhdx, vdi, vhd$/);
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
