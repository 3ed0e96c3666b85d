import { ConsoleCleaner } from '../../../src/builder/boot/console';

describe('ConsoleCleaner', () => {
  test('removes colour codes and carriage returns', () => {
    // GIVEN
    const cleaner = new ConsoleCleaner();
    // WHEN
    const added = cleaner.push('[  \x1b[0;32mOK\x1b[0m  ] Started ssh\r\n');
    // THEN
    expect(added).toBe('[  OK  ] Started ssh\n');
  });

  test('holds back an escape sequence cut off between two chunks', () => {
    // GIVEN
    const cleaner = new ConsoleCleaner();
    // WHEN
    const first = cleaner.push('a\x1b[0;3');
    const second = cleaner.push('2mb\n');
    // THEN
    expect(first).toBe('a');
    expect(second).toBe('b\n');
    expect(cleaner.text).toBe('ab\n');
  });
});
