import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from '../../../src/builder/common/digest';
import { FileHashCache } from '../../../src/builder/common/hash-cache';
import { tempDir } from '../support/tar';

const OLD = new Date(Date.now() - 60_000);

// Most cases pass a racy window of 0: utimes moves ctime to now, which the default 2 s window would refuse to remember.
describe('FileHashCache', () => {
  const tmp = tempDir('hash-cache-test-');
  afterAll(() => tmp.cleanup());

  function oldFile(name: string, content: string): string {
    const file = path.join(tmp.dir, name);
    writeFileSync(file, content);
    utimesSync(file, OLD, OLD);
    return file;
  }

  test('gives the sha256 of the content and remembers it across instances', () => {
    // GIVEN
    const file = oldFile('a.txt', 'hello');
    const store = path.join(tmp.dir, 'hashes-1.json');
    // WHEN
    new FileHashCache(store, 0).sha256(file);
    const first = new FileHashCache(store, 0);
    first.sha256(file);
    first.save();
    // THEN
    expect(new FileHashCache(store, 0).sha256(file)).toBe(sha256Hex('hello'));
    expect(JSON.parse(readFileSync(store, 'utf8')).files[file].sha256).toBe(sha256Hex('hello'));
  });

  test('sees a file changed to the same size and the same mtime', () => {
    // GIVEN a remembered hash
    const file = oldFile('b.txt', 'aaaa');
    const store = path.join(tmp.dir, 'hashes-2.json');
    const before = new FileHashCache(store, 0);
    expect(before.sha256(file)).toBe(sha256Hex('aaaa'));
    before.save();
    // WHEN the content changes but size and mtime are put back (ctime still moves)
    writeFileSync(file, 'bbbb');
    utimesSync(file, OLD, OLD);
    // THEN
    expect(new FileHashCache(store, 0).sha256(file)).toBe(sha256Hex('bbbb'));
  });

  test('does not remember a file modified in the last seconds', () => {
    // GIVEN
    const file = path.join(tmp.dir, 'fresh.txt');
    writeFileSync(file, 'new');
    const store = path.join(tmp.dir, 'hashes-3.json');
    const cache = new FileHashCache(store);
    // WHEN
    expect(cache.sha256(file)).toBe(sha256Hex('new'));
    cache.save();
    // THEN nothing was written: the next change in the same clock tick would look unchanged
    expect(() => readFileSync(store)).toThrow();
  });

  test('takes a hash from the cache only when every stat field matches', () => {
    // GIVEN a cache file claiming another hash for the file's current stat data... with one field off
    const file = oldFile('c.txt', 'real');
    const store = path.join(tmp.dir, 'hashes-4.json');
    const cache = new FileHashCache(store, 0);
    cache.sha256(file);
    cache.save();
    const saved = JSON.parse(readFileSync(store, 'utf8'));
    saved.files[file] = { key: `${saved.files[file].key}0`, sha256: sha256Hex('forged') };
    writeFileSync(store, JSON.stringify(saved));
    // WHEN / THEN
    expect(new FileHashCache(store, 0).sha256(file)).toBe(sha256Hex('real'));
  });

  test('starts empty on a damaged cache file', () => {
    const file = oldFile('d.txt', 'x');
    const store = path.join(tmp.dir, 'hashes-5.json');
    writeFileSync(store, '{not json');
    expect(new FileHashCache(store, 0).sha256(file)).toBe(sha256Hex('x'));
  });
});
