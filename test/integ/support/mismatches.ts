import { isDeepStrictEqual } from 'node:util';
import { EdgeEntry, SparseContent, isSparse, sparseBytes, sparseChunkAt } from '../fixtures/edge-tar';

/** What a fidelity suite compares: the tar's entries, and what a reader found for each path. */
export interface ReadBack<A> {
  readonly expected: readonly EdgeEntry[];
  readonly actual: ReadonlyMap<string, A>;
}

/** One row per entry whose projected value differs; `[]` means all agree. */
export function mismatches<A, T>(
  built: ReadBack<A>,
  applies: (entry: EdgeEntry) => boolean,
  expectedValue: (entry: EdgeEntry) => T,
  actualValue: (found: A) => T,
) {
  return built.expected.filter(applies).flatMap(entry => {
    const found = built.actual.get(entry.path);
    const want = expectedValue(entry);
    const got = found === undefined ? 'MISSING' : actualValue(found);
    return isDeepStrictEqual(want, got) ? [] : [{ path: entry.path, expected: want, actual: got }];
  });
}

/** The fixture's sparse file: its path and what it holds. */
export function sparseEntry(expected: readonly EdgeEntry[]): { readonly path: string; readonly content: SparseContent } {
  const sparse = expected.find(e => isSparse(e.content));
  if (sparse === undefined || !isSparse(sparse.content)) throw new Error('fixture has no sparse file');
  return { path: sparse.path, content: sparse.content };
}

/** Asserts that a reader's bytes of the sparse file hold its data at each offset (named in a failure) and zeros elsewhere. */
export function expectSparseContent(read: Buffer, sparse: SparseContent): void {
  expect(read.length).toBe(sparse.size);
  for (const offset of sparse.dataAt) {
    const chunk = sparseChunkAt(offset);
    const readable = (bytes: Buffer) => JSON.stringify(bytes.toString('latin1'));
    expect([offset, readable(read.subarray(offset, offset + chunk.length))]).toEqual([offset, readable(chunk)]);
  }
  expect(read.equals(sparseBytes(sparse))).toBe(true);
}
