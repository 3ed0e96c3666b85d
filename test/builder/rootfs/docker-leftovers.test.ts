import { TEMPORARY_LABEL, isStaleOwner, processAlive, temporaryLabel } from '../../../src/builder/rootfs/docker-leftovers';

describe('temporaryLabel', () => {
  test('names the label key, the host and the builder pid', () => {
    expect(temporaryLabel('build-7', 4242)).toBe(`${TEMPORARY_LABEL}=build-7:4242`);
  });
});

describe('isStaleOwner', () => {
  const aliveOnly = (live: number[]) => (pid: number) => live.includes(pid);

  test.each([
    ['a dead builder on this host', 'me:100', true],
    ['a live builder on this host (a concurrent build)', 'me:200', false],
    ['a builder on another host sharing the engine', 'other:100', false],
    ['a value without a pid', 'me', false],
    ['a value with a pid that is not a number', 'me:abc', false],
    ['an empty value', '', false],
    ['pid 0', 'me:0', false],
  ])('%s: %s -> %s', (_case, value, stale) => {
    expect(isStaleOwner(value, 'me', aliveOnly([200]))).toBe(stale);
  });

  test('keeps host names with colons whole (the pid is after the last one)', () => {
    expect(isStaleOwner('fe80::1:100', 'fe80::1', aliveOnly([]))).toBe(true);
  });
});

describe('processAlive', () => {
  test('is true for this process and false for a pid no process has', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 1)).toBe(false);
  });
});
