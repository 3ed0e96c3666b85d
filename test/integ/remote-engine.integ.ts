/**
 * The rootfs stage on a docker engine that is not this machine's: a second dockerd
 * on its own socket, which cannot see the test's files (see support/second-engine.ts).
 * The build context, the VM layer's context and the export all go through the docker
 * CLI; disk, bootloader and convert run here. Chosen by DOCKER_HOST, by DOCKER_CONTEXT
 * and by `docker context use`; an engine that does not answer is a clear error.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliRun, cacheState, runCli } from './support/builder';
import { SecondEngine, startSecondEngine } from './support/second-engine';

const BASE_IMAGE = 'debian:bookworm';
/** On every image a build here makes, with a value unique to the build. */
const TEST_LABEL = 'cdvm.remote-engine-test';
const BUILD_TIMEOUT_MS = 10 * 60_000;
const MAIN_BRIDGE = '/sys/class/net/docker0';

let work: string;
let engine: SecondEngine | undefined;
/** Whether the main engine's bridge was there before the second engine started. */
let mainBridgeBefore: boolean;
/** Label values of the builds made here, to find (and remove) anything on the main engine. */
const runIds: string[] = [];

function sh(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The environment without any docker engine choice of the user's, plus these settings. */
function dockerEnv(settings: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete env[key];
  return { ...env, ...settings };
}

/**
 * A build context whose image the builder can turn into a disk with no network (the
 * second engine has none): a stand-in kernel and systemd, enough for every stage (the
 * image is checked, not booted), and a command, so the VM layer (the app service) is
 * built on the engine too.
 */
function testContext(name: string): { dockerfile: string; runId: string } {
  const runId = `${name}-${process.pid}-${randomBytes(4).toString('hex')}`;
  runIds.push(runId);
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'marker.txt'), `${runId}\n`);
  writeFileSync(path.join(dir, 'Dockerfile'), [
    `FROM ${BASE_IMAGE}`,
    `LABEL ${TEST_LABEL}=${runId}`,
    'COPY marker.txt /etc/cdvm-remote-marker',
    'RUN mkdir -p /boot /lib/systemd && echo stand-in > /boot/vmlinuz-6.1.0-cdvm-remote \\',
    ' && cp /bin/true /lib/systemd/systemd && ln -s /lib/systemd/systemd /sbin/init && cp /bin/true /usr/bin/systemctl',
    'CMD ["/bin/sleep", "1"]',
    '',
  ].join('\n'));
  return { dockerfile: path.join(dir, 'Dockerfile'), runId };
}

/** Ids of the images carrying this build's label, on the main engine (no `-H`) or the second. */
function labelled(runId: string, onEngine?: SecondEngine): string[] {
  const args = ['image', 'ls', '--all', '--quiet', '--no-trunc', '--filter', `label=${TEST_LABEL}=${runId}`];
  const r = onEngine ? onEngine.docker(args) : spawnSync('docker', args, { encoding: 'utf8', env: dockerEnv({}), timeout: 120_000 });
  if (r.status !== 0) throw new Error(`docker image ls failed (${r.status}): ${r.stderr}`);
  return [...new Set(r.stdout.split('\n').filter(Boolean))];
}

function build(name: string, env: NodeJS.ProcessEnv): { run: CliRun; runId: string; output: string; cacheDir: string } {
  const { dockerfile, runId } = testContext(name);
  const output = path.join(work, `${name}-out`, 'vm.qcow2');
  const cacheDir = path.join(work, `${name}-cache`);
  const run = runCli(['build', '--dockerfile', dockerfile, '--output', output, '--cache-dir', cacheDir, '--json'], { env, timeoutMs: BUILD_TIMEOUT_MS });
  return { run, runId, output, cacheDir };
}

function expectBuiltOnSecondEngine(result: ReturnType<typeof build>): void {
  if (result.run.status !== 0) throw new Error(`build failed (${result.run.status}):\n${result.run.stderr.slice(-4000)}`);
  const json = JSON.parse(result.run.stdout) as { artifactPath: string; stages: Array<{ stage: string; cacheHit: boolean }> };
  expect(json.artifactPath).toBe(result.output);
  expect(json.stages.map(s => [s.stage, s.cacheHit])).toEqual([['rootfs', false], ['disk', false], ['bootloader', false], ['convert', false]]);
  const info = JSON.parse(sh('qemu-img', ['info', '--output=json', result.output])) as { format: string };
  expect(info.format).toBe('qcow2');
  // the rootfs is the engine's build, VM layer included (its context was streamed too)
  expect(result.run.stderr).toContain('kernel: boot/vmlinuz-6.1.0-cdvm-remote');
  expect(result.run.stderr).toContain('docker build of the VM layer');
  // the image is on the second engine, and nothing of the build is on the main one
  expect(labelled(result.runId, engine).length).toBeGreaterThan(0);
  expect(labelled(result.runId)).toEqual([]);
  expect(cacheState(result.cacheDir).tmp).toEqual([]);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-remote-'));
  mainBridgeBefore = existsSync(MAIN_BRIDGE);
  engine = await startSecondEngine({ hide: [work], images: [BASE_IMAGE] });
}, 10 * 60_000);

afterAll(async () => {
  try {
    // Only if a build wrongly ran on the main engine: remove those images, by id, and no parents.
    const strays = runIds.flatMap(id => labelled(id));
    if (strays.length) spawnSync('docker', ['image', 'rm', '--force', '--no-prune', '--', ...strays], { env: dockerEnv({}), timeout: 120_000 });
  } finally {
    await engine?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}, 5 * 60_000);

describe('GIVEN a second docker engine that cannot see the files of this machine', () => {
  test('the engine sees an empty directory where this machine has the test\'s files (so it is as good as remote)', () => {
    writeFileSync(path.join(work, 'visible-here.txt'), 'only on this machine\n');
    const r = engine!.docker(['run', '--rm', '--volume', `${work}:/seen`, BASE_IMAGE, 'ls', '-A', '/seen']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('');
  });

  test('the main engine keeps its bridge (a bridgeless dockerd in the host\'s network namespace deletes docker0)', () => {
    expect(existsSync(MAIN_BRIDGE)).toBe(mainBridgeBefore);
  });

  test('WHEN DOCKER_HOST names it THEN the image is built there and the disk image here', () => {
    // WHEN
    const result = build('docker-host', dockerEnv({ DOCKER_HOST: engine!.host }));
    // THEN
    expectBuiltOnSecondEngine(result);
  });

  describe('AND a docker context for it in a DOCKER_CONFIG of its own', () => {
    let config: string;
    let contextName: string;

    beforeAll(() => {
      config = path.join(work, 'docker-config');
      mkdirSync(config, { recursive: true });
      contextName = `cdvm-remote-${process.pid}-${randomBytes(4).toString('hex')}`;
      sh('docker', ['context', 'create', contextName, '--docker', `host=${engine!.host}`], dockerEnv({ DOCKER_CONFIG: config }));
    });

    afterAll(() => {
      spawnSync('docker', ['context', 'rm', '--force', contextName], { env: dockerEnv({ DOCKER_CONFIG: config }), timeout: 60_000 });
    });

    test('WHEN DOCKER_CONTEXT names the context THEN the image is built on its engine', () => {
      // WHEN
      const result = build('docker-context', dockerEnv({ DOCKER_CONFIG: config, DOCKER_CONTEXT: contextName }));
      // THEN
      expectBuiltOnSecondEngine(result);
    });

    test('WHEN `docker context use` made it the current context THEN the image is built on its engine', () => {
      // GIVEN
      sh('docker', ['context', 'use', contextName], dockerEnv({ DOCKER_CONFIG: config }));
      // WHEN
      const result = build('context-use', dockerEnv({ DOCKER_CONFIG: config }));
      // THEN
      expectBuiltOnSecondEngine(result);
    });
  });
});

describe('GIVEN a docker engine that does not answer', () => {
  function expectCleanFailure(run: CliRun, output: string, cacheDir: string): void {
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(run.stderr).not.toContain('unexpected error');
    expect(existsSync(output)).toBe(false);
    const outDir = path.dirname(output);
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
    expect(cacheState(cacheDir)).toEqual({ entries: { rootfs: [], disk: [], bootloader: [], convert: [] }, tmp: [] });
  }

  test('WHEN DOCKER_HOST names a socket that does not exist THEN the error names DOCKER_HOST and the fix, and nothing is written', () => {
    // GIVEN
    const socket = path.join(work, 'no-such-engine.sock');
    const { dockerfile } = testContext('unreachable-host');
    const output = path.join(work, 'unreachable-host-out', 'vm.qcow2');
    const cacheDir = path.join(work, 'unreachable-host-cache');
    // WHEN
    const run = runCli(['build', '--dockerfile', dockerfile, '--output', output, '--cache-dir', cacheDir], { env: dockerEnv({ DOCKER_HOST: `unix://${socket}` }), timeoutMs: BUILD_TIMEOUT_MS });
    // THEN
    expect(run.stderr).toContain(`cdktf-docker-vm: error: the docker engine does not answer at DOCKER_HOST=unix://${socket} (`);
    expect(run.stderr).toContain('start it there, or set DOCKER_HOST to an engine that runs (unix:///var/run/docker.sock, ssh://user@host), or unset DOCKER_HOST');
    expectCleanFailure(run, output, cacheDir);
  });

  test('WHEN DOCKER_CONTEXT names a context that does not exist THEN the error names DOCKER_CONTEXT and the fix', () => {
    // GIVEN an empty DOCKER_CONFIG: no contexts at all
    const config = path.join(work, 'empty-docker-config');
    mkdirSync(config, { recursive: true });
    const { dockerfile } = testContext('unreachable-context');
    const output = path.join(work, 'unreachable-context-out', 'vm.qcow2');
    const cacheDir = path.join(work, 'unreachable-context-cache');
    // WHEN
    const run = runCli(['build', '--dockerfile', dockerfile, '--output', output, '--cache-dir', cacheDir],
      { env: dockerEnv({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'cdvm-no-such-context' }), timeoutMs: BUILD_TIMEOUT_MS });
    // THEN
    expect(run.stderr).toMatch(/the docker engine does not answer for DOCKER_CONTEXT=cdvm-no-such-context \(.*not found.*\); start it, or check the context \(docker context inspect cdvm-no-such-context\)/);
    expectCleanFailure(run, output, cacheDir);
  });
});
