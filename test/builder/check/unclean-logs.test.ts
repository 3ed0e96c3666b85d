import { DirEntry } from '../../../src/builder/check/ext-reader';
import { isUncleanLog } from '../../../src/builder/check/inspect-disk';

const file = (name: string, sizeBytes: number): DirEntry => ({ name, kind: 'file', sizeBytes });

describe('isUncleanLog (as 99-img-check.sh judges /var/log)', () => {
  test.each<[string, DirEntry, boolean]>([
    ['a dpkg.log with lines', file('dpkg.log', 41_233), true],
    ['a log of 50 bytes', file('small.log', 50), false],
    ['an emptied log', file('alternatives.log', 0), false],
    ['a rotated log', file('syslog.1', 0), true],
    ['a dated archive', file('messages-20240101', 10), true],
    ['a file that is not a log', file('lastlog', 292_292), false],
    ['a directory named like a log', { name: 'apt.log', kind: 'dir', sizeBytes: 4096 }, false],
  ])('GIVEN %s WHEN judged THEN unclean is %s', (_what, entry, unclean) => {
    expect(isUncleanLog(entry)).toBe(unclean);
  });
});
