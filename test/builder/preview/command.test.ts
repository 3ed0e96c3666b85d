import { parseDiskSizeMiB } from '../../../src/builder/preview/command';

describe('parseDiskSizeMiB', () => {
  test.each([['25G', 25600], ['4096M', 4096], ['2GiB', 2048], ['512', 512], ['1.5G', 1536]])('reads %s as %d MiB', (value, mib) => {
    expect(parseDiskSizeMiB(value)).toBe(mib);
  });

  test.each(['', '0G', '0', 'big', '-1G'])('fails when the size is %j', value => {
    expect(() => parseDiskSizeMiB(value)).toThrow(/--disk-size .* is not a size; write it like 25G/);
  });
});
