import { findUnpinnedImages } from '../../../src/constructs/rootfs/unpinned-images';

const DIGEST = '@sha256:' + 'b'.repeat(64);

describe('findUnpinnedImages', () => {
  test.each([
    ['a tag', 'FROM debian:bookworm\n', ['debian:bookworm']],
    ['no tag', 'FROM alpine\n', ['alpine']],
    ['a lowercase instruction', 'from debian:bookworm\n', ['debian:bookworm']],
    ['a registry with a port', 'FROM registry.local:5000/base:1\n', ['registry.local:5000/base:1']],
    ['a platform flag and a stage name', 'FROM --platform=linux/amd64 golang:1.22 AS build\n', ['golang:1.22']],
    ['a continuation line', 'FROM \\\n  debian:bookworm\n', ['debian:bookworm']],
    ['an ARG default before FROM', 'ARG BASE=debian:bookworm\nFROM ${BASE}\n', ['debian:bookworm']],
    ['a ${VAR:-default} reference', 'ARG TAG\nFROM debian:${TAG:-bookworm}\n', ['debian:bookworm']],
  ])('reports %s', (_name, dockerfile, expected) => {
    expect(findUnpinnedImages(dockerfile).map(i => i.reference)).toEqual(expected);
  });

  test.each([
    ['a digest', `FROM debian:bookworm${DIGEST}\n`],
    ['a digest without a tag', `FROM debian${DIGEST} AS base\n`],
    ['FROM scratch', 'FROM scratch\nCOPY x /\n'],
    ['an earlier build stage', `FROM golang${DIGEST} AS build\nFROM build\n`],
    ['an earlier build stage in other case', `FROM golang${DIGEST} AS Build\nFROM build AS final\n`],
    ['a variable without a value', 'ARG BASE\nFROM $BASE\n'],
    ['a commented-out FROM', '# FROM debian:bookworm\nFROM scratch\n'],
  ])('ignores %s', (_name, dockerfile) => {
    expect(findUnpinnedImages(dockerfile)).toEqual([]);
  });

  test('substitutes build args over ARG defaults', () => {
    expect(findUnpinnedImages('ARG BASE=debian:bookworm\nFROM $BASE\n', { BASE: 'ubuntu:24.04' })).toEqual([{ reference: 'ubuntu:24.04', line: 2 }]);
  });

  test('pins by build arg count as pinned', () => {
    expect(findUnpinnedImages('ARG BASE=debian:bookworm\nFROM $BASE\n', { BASE: `debian${DIGEST}` })).toEqual([]);
  });

  test('reports the line of the FROM instruction', () => {
    expect(findUnpinnedImages('# syntax=docker/dockerfile:1\n\nFROM scratch AS a\nFROM \\\n  alpine:3\n')).toEqual([{ reference: 'alpine:3', line: 4 }]);
  });

  test('a stage may not refer to its own name', () => {
    expect(findUnpinnedImages('FROM base AS base\n').map(i => i.reference)).toEqual(['base']);
  });
});
