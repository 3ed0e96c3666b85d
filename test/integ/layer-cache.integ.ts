/**
 * The user's docker layer cache survives a build: the VM layer is built FROM
 * the image of the user's Dockerfile and removed afterwards, and that removal
 * must not take the user's (untagged) image and its layers with it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './support/builder';
import { SPEC_FILE_VERSION } from '../../src/builder/spec';

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'layer-cache-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Builds the rootfs of a Dockerfile that needs the VM layer (no kernel, no init): returns the builder's stderr. */
function buildRootfs(name: string, dockerfile: string): string {
  const contextDir = path.join(work, 'context');
  rmSync(contextDir, { recursive: true, force: true });
  mkdirSync(contextDir);
  writeFileSync(path.join(contextDir, 'Dockerfile'), dockerfile);
  const spec = path.join(work, `${name}.spec.json`);
  writeFileSync(spec, JSON.stringify({
    specFileVersion: SPEC_FILE_VERSION,
    spec: {
      stage: 'rootfs',
      source: { kind: 'dockerfile', contextDir, dockerfile: 'Dockerfile', buildArgs: {} },
      vm: { inject: 'auto', profile: 'generic', appService: false },
    },
    cacheDir: path.join(work, 'cache'),
  }));
  const r = runCli(['run', '--spec', spec], { timeoutMs: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`build ${name} failed (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
  return r.stderr;
}

describe('GIVEN a Dockerfile built into a VM rootfs WHEN only its last line changes', () => {
  test('THEN the second build reuses the earlier layers from docker\'s cache', () => {
    // GIVEN: a marker unique to this run, so the first build cannot hit an older cache
    const marker = `layer-cache-${process.pid}-${Date.now()}`;
    const first = `FROM debian:bookworm\nRUN echo ${marker} > /early-layer\nRUN echo one > /last-layer\n`;
    buildRootfs('first', first);
    // WHEN
    const second = buildRootfs('second', first.replace('echo one', 'echo two'));
    // THEN: docker's legacy builder says "Using cache" (BuildKit: "CACHED") for the unchanged RUN step
    const lines = second.split('\n');
    const early = lines.findIndex(line => line.includes(`RUN echo ${marker}`));
    expect(early).toBeGreaterThanOrEqual(0);
    expect(lines.slice(early, early + 3).join('\n')).toMatch(/Using cache|CACHED/);
  }, 40 * 60_000);
});
