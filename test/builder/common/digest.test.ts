import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalJson, sha256FileSync, sha256Hex } from '../../../src/builder/common/digest';
import { tempDir } from '../support/tar';

describe('canonicalJson', () => {
  test('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":0,"z":1}]},"b":1}');
  });

  test('does not depend on key order', () => {
    expect(canonicalJson({ x: 1, y: { p: true, q: null } })).toBe(canonicalJson({ y: { q: null, p: true }, x: 1 }));
  });

  test('leaves out undefined values and keeps array order', () => {
    expect(canonicalJson({ a: undefined, b: [3, 1, 2] })).toBe('{"b":[3,1,2]}');
  });

  test('sha256Hex hashes like sha256sum', () => {
    // printf abc | sha256sum
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('sha256FileSync', () => {
  test('hashes a file like sha256sum, across several reads', () => {
    // GIVEN a file larger than one 4 MiB read
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'big');
      const data = Buffer.alloc(9 * 1024 * 1024, 'ab');
      writeFileSync(file, data);
      // THEN
      expect(sha256FileSync(file)).toBe(sha256Hex(data));
    } finally {
      tmp.cleanup();
    }
  });
});
