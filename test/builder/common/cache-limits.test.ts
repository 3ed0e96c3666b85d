import { DEFAULT_CACHE_MAX_BYTES, limitsFromEnv, maxSizeFlag, olderThanFlag, readAge, readByteSize } from '../../../src/builder/common/cache-limits';
import { SpecError } from '../../../src/builder/common/errors';

describe('cache limits', () => {
  test.each([
    ['10G', 10 * 1024 ** 3],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['500M', 500 * 1024 ** 2],
    ['2T', 2 * 1024 ** 4],
    ['4096K', 4096 * 1024],
    ['123B', 123],
    ['100', 100],
  ])('reads the size %s', (text, bytes) => {
    expect(readByteSize(text, 1)).toBe(bytes);
  });

  test.each(['', 'ten', '-1G', '10X', '1e9'])('fails when the size is %j', text => {
    expect(readByteSize(text, 1)).toBeUndefined();
  });

  test.each([['90s', 90_000], ['30m', 1_800_000], ['12h', 43_200_000], ['7d', 604_800_000], ['2w', 1_209_600_000]])('reads the age %s', (text, ms) => {
    expect(readAge(text)).toBe(ms);
  });

  test('a bare --max-size number is MiB, as in the other size flags', () => {
    expect(maxSizeFlag('512')).toBe(512 * 1024 ** 2);
  });

  test('fails when --max-size is not a size, naming the flag and the fix', () => {
    expect(() => maxSizeFlag('lots')).toThrow(SpecError);
    expect(() => maxSizeFlag('lots')).toThrow('--max-size lots is not a size; write it like --max-size 10G');
  });

  test('fails when --older-than has no unit', () => {
    expect(() => olderThanFlag('7')).toThrow('--older-than 7 is not an age; write it like --older-than 7d (s, m, h, d or w)');
  });

  test('defaults to a 20 GiB limit and no age limit', () => {
    expect(limitsFromEnv({})).toEqual({ maxBytes: DEFAULT_CACHE_MAX_BYTES, maxAgeMs: undefined });
    expect(DEFAULT_CACHE_MAX_BYTES).toBe(20 * 1024 ** 3);
  });

  test('reads the limits from the environment; a bare number is bytes', () => {
    expect(limitsFromEnv({ CDKTF_DOCKER_VM_CACHE_MAX_BYTES: '1000000', CDKTF_DOCKER_VM_CACHE_MAX_AGE: '30d' }))
      .toEqual({ maxBytes: 1_000_000, maxAgeMs: 30 * 86_400_000 });
    expect(limitsFromEnv({ CDKTF_DOCKER_VM_CACHE_MAX_BYTES: 'unlimited' }).maxBytes).toBeUndefined();
  });

  test('fails when CDKTF_DOCKER_VM_CACHE_MAX_BYTES is not a size, naming the variable and the fix', () => {
    expect(() => limitsFromEnv({ CDKTF_DOCKER_VM_CACHE_MAX_BYTES: '20 gigs' }))
      .toThrow(/^CDKTF_DOCKER_VM_CACHE_MAX_BYTES=20 gigs is not a size; set it like CDKTF_DOCKER_VM_CACHE_MAX_BYTES=20G .*or unset it/);
  });

  test('fails when CDKTF_DOCKER_VM_CACHE_MAX_AGE is not an age', () => {
    expect(() => limitsFromEnv({ CDKTF_DOCKER_VM_CACHE_MAX_AGE: 'monthly' })).toThrow(/^CDKTF_DOCKER_VM_CACHE_MAX_AGE=monthly is not an age; set it like/);
  });
});
