/**
 * The builder on every Node major that package.json's `engines` names: its
 * unit tests and its CLI run on Node 22 and 24 (the rest of the suite runs on
 * the machine's Node 20).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, REPO } from './support/builder';
import { mustRun } from './support/consumer-app';
import { installNode, nodeMajor, withNode } from './support/node-runtime';

let work: string;
const majors = [22, 24];
const runtimes = new Map<number, NodeJS.ProcessEnv>();

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-node-'));
  for (const major of majors) runtimes.set(major, withNode(installNode(major, work)));
}, 1_200_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(majors)('Node %i', major => {
  test('is one of the versions package.json engines names, and the one the test runs', () => {
    // GIVEN
    const engines = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    // THEN
    expect(engines.split('||').map(r => r.trim())).toContain(`^${major}.0.0`);
    expect(nodeMajor(runtimes.get(major)!)).toBe(major);
  });

  test('the builder unit tests pass', () => {
    // WHEN
    const r = mustRun('node', [path.join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'), '--coverage=false', '--ci', 'test/builder'],
      { cwd: REPO, env: runtimes.get(major), timeoutMs: 1_200_000 });
    // THEN (jest prints its summary on stderr)
    expect(r.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    expect(r.stderr).not.toMatch(/failed/);
  });

  test('the compiled CLI answers --help and refuses a bad flag with exit 2', () => {
    // WHEN
    const help = mustRun('node', [CLI, '--help'], { cwd: REPO, env: runtimes.get(major) });
    const bad = spawnSync('node', [CLI, 'build', '--tar', path.join(work, 'missing.tar'), '--output', path.join(work, 'x.qcow2')],
      { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...runtimes.get(major) }, timeout: 120_000 });
    // THEN
    expect(help.stdout).toMatch(/cdktf-docker-vm build/);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/missing\.tar/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

