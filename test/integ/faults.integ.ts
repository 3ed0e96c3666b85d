/**
 * Bad input and faults, table-driven: every case checks the exit code, that the
 * message names the input and the fix, and that nothing partial is left behind
 * (no new cache entry for the failing stage, `<cache>/tmp` empty, no output).
 * The cases already in build.integ.ts (missing tool, docker down, bad tars,
 * no kernel, size too small, usage errors, corrupted entry) are not repeated.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, CliRun, DEBIAN_FIXTURE, REPO, TEST_USER, cacheState, ensureTestUser, runCli } from './support/builder';
import { indexTar } from '../../src/builder/common/tar-index';
import { fingerprintSpec } from '../../src/builder/fingerprints';
import { clearHardLinkTypeBits } from '../../src/builder/rootfs/hardlink-headers';
import { RootfsSpec, SPEC_FILE_VERSION, StageSpec } from '../../src/builder/spec';

const FIXTURE_IMAGE = 'cdvm-faults-debian:1';

let work: string;
/** The Debian fixture's rootfs (with a kernel), for the cases after the rootfs stage. */
let debianTar: string;
/** debian:bookworm without a kernel: small, for the disk-full case. */
let smallTar: string;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function sha256(file: string): string {
  return sh('sha256sum', [file]).split(' ')[0];
}

function qemuImgFormat(file: string): string {
  return (JSON.parse(sh('qemu-img', ['info', '--output=json', file])) as { format: string }).format;
}

/** Containers left by a builder process (its export container is named after its pid) or running a command with this text. */
function leftoverContainers(filter: { pid?: number; command?: string }): string[] {
  const lines = sh('docker', ['ps', '-a', '--no-trunc', '--format', '{{.Names}}\t{{.Command}}']).split('\n').filter(Boolean);
  return lines.filter(line => (filter.pid !== undefined && line.startsWith(`cdktf-docker-vm-export-${filter.pid}-`))
    || (filter.command !== undefined && line.includes(filter.command)));
}

/**
 * Waits until no such container is left: after the docker CLI is killed, the daemon removes
 * the cancelled step's container a moment later (under a second here).
 */
async function settledContainers(filter: { pid?: number; command?: string }, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let left = leftoverContainers(filter);
  while (left.length && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 250));
    left = leftoverContainers(filter);
  }
  return left;
}

/** A directory with these files (a build context). */
function context(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) writeFileSync(path.join(dir, rel), content);
  return dir;
}

/** Writes a spec file for `cdktf-docker-vm run --spec` (used for a rootfs-only build). */
function specFile(name: string, spec: StageSpec, cacheDir: string): string {
  const file = path.join(work, `${name}.spec.json`);
  writeFileSync(file, JSON.stringify({ specFileVersion: SPEC_FILE_VERSION, spec, cacheDir }));
  return file;
}

interface AsyncRun extends CliRun { readonly signal: NodeJS.Signals | null; readonly pid: number }

/** Starts the CLI without waiting; `onStderr` sees the stderr so far after each chunk. */
function startCli(args: readonly string[], onStderr?: (stderr: string, child: ChildProcess) => void, env = process.env): Promise<AsyncRun> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    onStderr?.(stderr, child);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  return new Promise(resolve => child.on('close', (status, signal) => {
    clearTimeout(timer);
    resolve({ status, signal, stdout, stderr, pid: child.pid! });
  }));
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-faults-'));
  chmodSync(work, 0o755);
  // docker's layer cache makes these quick after the first run
  sh('docker', ['build', '-q', '-t', FIXTURE_IMAGE, DEBIAN_FIXTURE]);
  debianTar = path.join(work, 'debian-rootfs.tar');
  smallTar = path.join(work, 'bookworm.tar');
  for (const [image, tar] of [[FIXTURE_IMAGE, debianTar], ['debian:bookworm', smallTar]]) {
    const id = sh('docker', ['create', '--entrypoint', '/bin/true', image]).trim();
    try {
      sh('docker', ['export', '--output', tar, id]);
    } finally {
      sh('docker', ['rm', '--force', id]);
    }
  }
});

afterAll(() => {
  spawnSync('docker', ['image', 'rm', FIXTURE_IMAGE]);
  rmSync(work, { recursive: true, force: true });
});

interface FaultCase {
  readonly name: string;
  /** Makes the inputs; returns the CLI arguments (without --cache-dir) and the output file. */
  readonly given: () => { args: string[]; output?: string; user?: string; cacheDir?: string };
  readonly status: number;
  readonly message: RegExp;
  /** The stage that fails: no new entry may appear for it. */
  readonly stage: string;
  /** No container running a command with this text may remain. */
  readonly container?: string;
}

describe('GIVEN bad input', () => {
  const cacheDir = () => path.join(work, 'cache-input');

  const cases: FaultCase[] = [
    {
      name: 'fails when the Dockerfile does not exist, naming it',
      given: () => {
        const dir = context('ctx-nodockerfile', { 'app.txt': 'x' });
        return { args: ['build', '--dockerfile', path.join(dir, 'Dockerfile'), '--output', path.join(work, 'o-nodf.img')], output: path.join(work, 'o-nodf.img') };
      },
      status: 2,
      message: /--dockerfile \S+ctx-nodockerfile\/Dockerfile does not exist; give the path of a Dockerfile/,
      stage: 'rootfs',
    },
    {
      name: 'fails when the build context is not a directory, naming it',
      given: () => ({
        args: ['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--context', path.join(work, 'no-such-context'), '--output', path.join(work, 'o-noctx.img')],
        output: path.join(work, 'o-noctx.img'),
      }),
      status: 2,
      message: /--context \S+no-such-context does not exist; give the build context directory/,
      stage: 'rootfs',
    },
    {
      name: 'fails when a docker build step fails, showing the step\'s last lines',
      given: () => {
        // the shell computes the marker, so it is in the step's output, not only in docker's echo of the step
        const dir = context('ctx-failing', { Dockerfile: 'FROM debian:bookworm\nRUN echo CDVM-FAILING-$((6*7))-MARKER && exit 1\n' });
        return { args: ['build', '--dockerfile', path.join(dir, 'Dockerfile'), '--output', path.join(work, 'o-fail.img')], output: path.join(work, 'o-fail.img') };
      },
      status: 1,
      message: /docker failed \(exit 1\): docker build [\s\S]*\| .*CDVM-FAILING-42-MARKER[\s\S]*fix the failing step in the Dockerfile/,
      stage: 'rootfs',
      // --force-rm: the failed step's container is removed too
      container: 'CDVM-FAILING-$((6*7))-MARKER',
    },
    {
      name: 'fails when the image is not on this machine and cannot be pulled',
      given: () => ({ args: ['build', '--image', 'no-such-image:0', '--output', path.join(work, 'o-noimage.img')], output: path.join(work, 'o-noimage.img') }),
      status: 1,
      message: /image no-such-image:0 is not on this machine and could not be pulled .*check the name and tag/,
      stage: 'rootfs',
    },
    {
      name: 'fails when the cache directory is under a regular file, saying to pass --cache-dir',
      given: () => {
        writeFileSync(path.join(work, 'a-file'), 'x');
        return { args: ['build', '--tar', debianTar, '--output', path.join(work, 'o-nocache.img')], output: path.join(work, 'o-nocache.img'), cacheDir: path.join(work, 'a-file', 'cache') };
      },
      status: 2,
      message: /cache directory \S+a-file\/cache is not writable .*pass --cache-dir DIR with a writable directory/,
      stage: 'rootfs',
    },
    {
      name: 'fails when the output directory is not writable for the user, before any work',
      given: () => {
        ensureTestUser();
        const out = path.join(work, 'root-only');
        mkdirSync(out, { mode: 0o755 });
        const userCache = path.join(work, 'cache-testuser');
        mkdirSync(userCache, { recursive: true });
        sh('chown', [TEST_USER, userCache]);
        // the user may read the tar (the input is checked first), only the output directory is root's
        chmodSync(debianTar, 0o644);
        return { args: ['build', '--tar', debianTar, '--output', path.join(out, 'vm.qcow2')], output: path.join(out, 'vm.qcow2'), user: TEST_USER, cacheDir: userCache };
      },
      status: 2,
      message: /output \S+root-only\/vm\.qcow2 is not writable .*choose an --output in a writable directory/,
      stage: 'rootfs',
    },
    {
      name: 'fails when a --build-arg is not KEY=VALUE',
      given: () => ({ args: ['build', '--dockerfile', path.join(DEBIAN_FIXTURE, 'Dockerfile'), '--build-arg', 'NOEQUALS', '--output', path.join(work, 'o-arg.img')] }),
      status: 2,
      message: /--build-arg NOEQUALS is not KEY=VALUE; write it like --build-arg VERSION=1\.2/,
      stage: 'rootfs',
    },
    {
      name: 'fails when --size is not a size',
      given: () => ({ args: ['build', '--tar', debianTar, '--size', '4X', '--output', path.join(work, 'o-size.img')] }),
      status: 2,
      message: /--size 4X is not a size; use auto, or a number with G or M/,
      stage: 'disk',
    },
    {
      name: 'fails when the spec file cannot be read, saying to synthesize again',
      given: () => ({ args: ['run', '--spec', path.join(work, 'missing.spec.json')] }),
      status: 2,
      message: /cannot read spec file \S+missing\.spec\.json .*synthesize the stack again/,
      stage: 'rootfs',
    },
    {
      name: 'fails when the spec file is from another builder version',
      given: () => {
        const file = path.join(work, 'old.spec.json');
        writeFileSync(file, JSON.stringify({ specFileVersion: 0, spec: { stage: 'rootfs', source: { kind: 'tar', path: debianTar } } }));
        return { args: ['run', '--spec', file] };
      },
      status: 2,
      message: /spec file \S+old\.spec\.json has version 0, this builder reads \d+; synthesize the stack again/,
      stage: 'rootfs',
    },
  ];

  test.each(cases)('$name', c => {
    // GIVEN
    const given = c.given();
    const cache = given.cacheDir ?? cacheDir();
    const before = cacheState(cache);
    // WHEN
    const run = runCli([...given.args, '--cache-dir', cache], { user: given.user, timeoutMs: 120_000 });
    // THEN
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: c.status, stderr: expect.stringMatching(c.message) });
    const after = cacheState(cache);
    expect(after.tmp).toEqual([]);
    expect(after.entries[c.stage]).toEqual(before.entries[c.stage]);
    if (c.container) expect(leftoverContainers({ command: c.container })).toEqual([]);
    if (given.output) {
      expect(existsSync(given.output)).toBe(false);
      expect(readdirSync(path.dirname(given.output)).filter(n => n.includes(path.basename(given.output!)))).toEqual([]);
    }
  });
});

describe('GIVEN a build with hostile or sensitive values', () => {
  test('passes a build arg with shell metacharacters literally', () => {
    // GIVEN
    const marker = path.join(os.tmpdir(), `pwned-${randomBytes(6).toString('hex')}`);
    const value = `$(touch ${marker}); echo hi \`touch ${marker}\` & "quoted" 'single'`;
    const dir = context('ctx-arg', { Dockerfile: 'FROM debian:bookworm\nARG X\nRUN printf \'%s\' "$X" > /arg.txt\n' });
    const cache = path.join(work, 'cache-arg');
    const spec: RootfsSpec = { stage: 'rootfs', source: { kind: 'dockerfile', contextDir: dir, dockerfile: 'Dockerfile', buildArgs: { X: value } } };
    // WHEN
    const run = runCli(['run', '--spec', specFile('arg', spec, cache), '--json']);
    // THEN
    expect(run.stderr).not.toMatch(/error/);
    expect(run.status).toBe(0);
    expect(existsSync(marker)).toBe(false);
    const tar = (JSON.parse(run.stdout) as { artifactPath: string }).artifactPath;
    expect(path.basename(tar)).toBe('rootfs.tar');
    expect(sh('tar', ['-xOf', tar, 'arg.txt'])).toBe(value);
  });

  test('never prints the DigitalOcean and Spaces secrets, nor writes them into the cache', () => {
    // GIVEN
    const markers = ['DO-TOKEN', 'SPACES-KEY-ID', 'SPACES-SECRET'].map(m => `${m}-${randomBytes(8).toString('hex')}`);
    const env = { ...process.env, DIGITALOCEAN_TOKEN: markers[0], SPACES_ACCESS_KEY_ID: markers[1], SPACES_SECRET_ACCESS_KEY: markers[2] };
    const cache = path.join(work, 'cache-secrets');
    const dir = context('ctx-secrets', { Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN env > /build-env.txt\n` });
    // WHEN a docker build and every later stage run with the secrets in the environment
    const run = runCli(['build', '--dockerfile', path.join(dir, 'Dockerfile'), '--output', path.join(work, 'secrets.qcow2'), '--cache-dir', cache, '--json'], { env });
    // THEN
    expect(run.stderr).not.toMatch(/error/);
    expect(run.status).toBe(0);
    for (const m of markers) {
      expect(run.stdout).not.toContain(m);
      expect(run.stderr).not.toContain(m);
    }
    // grep -r reads the tar and the disk images too; -a treats them as text; status 1: no match
    const grep = spawnSync('grep', ['-rlaF', ...markers.flatMap(m => ['-e', m]), cache, path.join(work, 'secrets.qcow2')], { encoding: 'utf8' });
    expect({ status: grep.status, files: grep.stdout }).toEqual({ status: 1, files: '' });
  });

  test('does not follow context symlinks that point outside the context, like docker', () => {
    // GIVEN a context whose link points at a file outside it. The nonce file makes docker's COPY cache miss:
    // docker 20.10's legacy builder reuses a COPY layer when only a link's target changed.
    const outside = path.join(work, 'outside.txt');
    writeFileSync(outside, 'first');
    const dir = context('ctx-symlink', { Dockerfile: 'FROM debian:bookworm\nCOPY . /ctx/\n', nonce: randomBytes(8).toString('hex') });
    symlinkSync('../outside.txt', path.join(dir, 'link'));
    const spec: RootfsSpec = { stage: 'rootfs', source: { kind: 'dockerfile', contextDir: dir, dockerfile: 'Dockerfile', buildArgs: {} } };
    const fingerprint = fingerprintSpec(spec, REPO);
    // WHEN the outside file changes
    writeFileSync(outside, 'second, longer');
    // THEN the fingerprint does not change, and docker sends (and COPY keeps) the link itself
    expect(fingerprintSpec(spec, REPO)).toBe(fingerprint);
    const run = runCli(['run', '--spec', specFile('symlink', spec, path.join(work, 'cache-symlink')), '--json']);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.status).toBe(0);
    const { artifactPath, fingerprint: built } = JSON.parse(run.stdout) as { artifactPath: string; fingerprint: string };
    expect(built).toBe(fingerprint);
    expect(sh('tar', ['-tvf', artifactPath, 'ctx/link'])).toMatch(/^l.* ctx\/link -> \.\.\/outside\.txt$/m);
  });
});

describe('GIVEN a signal in the middle of a stage', () => {
  const slowStep = `sleep-${randomBytes(6).toString('hex')}`;
  /** A PATH whose syslinux first sleeps, so a signal surely lands inside the (sub-second) bootloader stage. */
  const slowSyslinuxPath = () => {
    const bin = path.join(work, 'bin-slow-syslinux');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'syslinux'), `#!/bin/sh\nsleep 5\nexec ${sh('sh', ['-c', 'command -v syslinux']).trim()} "$@"\n`);
    chmodSync(path.join(bin, 'syslinux'), 0o755);
    return `${bin}:${process.env.PATH}`;
  };
  const cases: { name: string; signal: NodeJS.Signals; stage: string; waitFor: RegExp; args: () => string[]; path?: () => string }[] = [
    {
      name: 'SIGINT during docker export',
      signal: 'SIGINT',
      stage: 'rootfs',
      waitFor: /rootfs: docker export/,
      args: () => ['build', '--image', FIXTURE_IMAGE, '--output', path.join(work, 'sig-rootfs.qcow2')],
    },
    {
      name: 'SIGTERM during docker build',
      signal: 'SIGTERM',
      stage: 'rootfs',
      waitFor: new RegExp(`rootfs: .*${slowStep}`), // inside the RUN step
      args: () => {
        // a fresh marker each run, so docker's layer cache never skips the slow step
        const dir = context('ctx-slow', { Dockerfile: `FROM ${FIXTURE_IMAGE}\nRUN echo ${slowStep} && sleep 4\n` });
        return ['build', '--dockerfile', path.join(dir, 'Dockerfile'), '--output', path.join(work, 'sig-build.qcow2')];
      },
    },
    {
      name: 'SIGTERM while writing ext4',
      signal: 'SIGTERM',
      stage: 'disk',
      waitFor: /disk: writing ext4/,
      args: () => ['build', '--tar', debianTar, '--output', path.join(work, 'sig-disk.qcow2')],
    },
    {
      name: 'SIGTERM while syslinux installs the bootloader',
      signal: 'SIGTERM',
      stage: 'bootloader',
      waitFor: /bootloader: syslinux \(BIOS\), kernel/,
      args: () => ['build', '--tar', debianTar, '--output', path.join(work, 'sig-bootloader.qcow2')],
      path: slowSyslinuxPath,
    },
    {
      name: 'SIGINT during convert',
      signal: 'SIGINT',
      stage: 'convert',
      waitFor: /convert: /,
      // compressing takes seconds, so the signal lands inside the stage
      args: () => ['build', '--tar', debianTar, '--output', path.join(work, 'sig-convert.img.gz')],
    },
  ];

  test.each(cases)('$name exits 130, leaves no temp file, container or entry, and a rerun succeeds', async c => {
    // GIVEN
    const cache = path.join(work, `cache-sig-${c.stage}-${c.signal}`);
    const args = [...c.args(), '--cache-dir', cache];
    const output = args[args.indexOf('--output') + 1];
    let sent = false;
    const env = c.path ? { ...process.env, PATH: c.path() } : process.env;
    // WHEN
    const run = await startCli(args, (stderr, child) => {
      if (!sent && c.waitFor.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill(c.signal), c.stage === 'rootfs' ? 300 : 100);
      }
    }, env);
    // THEN
    expect(sent).toBe(true);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 130, stderr: expect.stringMatching(/received, stopping[\s\S]*interrupted/) });
    const state = cacheState(cache);
    expect(state.tmp).toEqual([]);
    expect(state.entries[c.stage]).toEqual([]);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(path.dirname(output)).filter(n => n.startsWith(`.${path.basename(output)}.tmp`))).toEqual([]);
    expect(await settledContainers({ pid: run.pid, command: slowStep })).toEqual([]);
    expect(readdirSync(path.join(cache, 'locks'))).toEqual([]);
    // a rerun succeeds
    const again = runCli(args);
    expect(again.stderr).not.toMatch(/error/);
    expect(again.status).toBe(0);
    expect(statSync(output).size).toBeGreaterThan(0);
  });
});

describe('GIVEN builds running at the same time', () => {
  test('two builds of the same fingerprint: one builds, the other waits, both outputs are identical', async () => {
    // GIVEN
    const cache = path.join(work, 'cache-parallel');
    const args = (n: number) => ['build', '--tar', debianTar, '--output', path.join(work, `par-${n}.qcow2`), '--cache-dir', cache, '--json'];
    // WHEN
    const [a, b] = await Promise.all([startCli(args(1)), startCli(args(2))]);
    // THEN
    expect([a.status, b.status, a.stderr + b.stderr]).toEqual([0, 0, expect.stringMatching(/waiting for it|cache\s*\n[\s\S]*hit/)]);
    expect(sha256(path.join(work, 'par-1.qcow2'))).toBe(sha256(path.join(work, 'par-2.qcow2')));
    expect(qemuImgFormat(path.join(work, 'par-1.qcow2'))).toBe('qcow2');
    expect(cacheState(cache).tmp).toEqual([]);
  });

  test('two different builds sharing a cache both succeed', async () => {
    // GIVEN
    const cache = path.join(work, 'cache-parallel');
    const args = (size: string) => ['build', '--tar', debianTar, '--size', size, '--output', path.join(work, `par-${size}.qcow2`), '--cache-dir', cache, '--json'];
    // WHEN
    const [a, b] = await Promise.all([startCli(args('3G')), startCli(args('4G'))]);
    // THEN
    // (the stderr of a failing build is in the diff when this fails)
    const errors = [a, b].filter(r => r.stderr.includes('error')).map(r => r.stderr.slice(-2000));
    expect({ statuses: [a.status, b.status], errors }).toEqual({ statuses: [0, 0], errors: [] });
    const size = (f: string) => (JSON.parse(sh('qemu-img', ['info', '--output=json', f])) as { 'virtual-size': number })['virtual-size'];
    expect([size(path.join(work, 'par-3G.qcow2')), size(path.join(work, 'par-4G.qcow2'))]).toEqual([3 * 1024 ** 3, 4 * 1024 ** 3]);
    expect(cacheState(cache).tmp).toEqual([]);
  });
});

describe('GIVEN a cache on a filesystem that fills up', () => {
  let mnt: string | undefined;

  afterAll(() => {
    if (mnt) spawnSync('umount', [mnt]);
  });

  test('fails when the cache filesystem is full, naming the cache directory; earlier entries stay good', () => {
    // GIVEN a 160 MiB tmpfs: room for the 116 MiB rootfs entry, not for the disk image as well
    mnt = path.join(work, 'small-fs');
    mkdirSync(mnt);
    sh('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mnt]);
    const cache = path.join(mnt, 'cache');
    const output = path.join(work, 'full.qcow2');
    // WHEN
    // (a spec with no VM layer: this image has no kernel, and the point is the full disk)
    const spec: StageSpec = {
      stage: 'convert',
      format: 'qcow2',
      compression: 'none',
      bootloader: {
        stage: 'bootloader',
        extraKernelArgs: [],
        disk: { stage: 'disk', partitionTable: 'mbr', bootPartitionMiB: 128, rootfs: { stage: 'rootfs', source: { kind: 'tar', path: smallTar } } },
      },
    };
    const file = specFile('full', spec, cache);
    writeFileSync(file, JSON.stringify({ specFileVersion: SPEC_FILE_VERSION, spec, cacheDir: cache, output }));
    const run = runCli(['run', '--spec', file]);
    // THEN
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no space left in the cache directory \S+small-fs\/cache .*free some space there, or pass --cache-dir DIR/);
    const state = cacheState(cache);
    expect(state.tmp).toEqual([]);
    expect(state.entries.disk).toEqual([]);
    expect(state.entries.rootfs).toHaveLength(1);
    // the entry is the input tar with its hard-link headers given plain modes (see rootfs/hardlink-headers.ts)
    const expectedTar = path.join(work, 'bookworm-links-cleared.tar');
    copyFileSync(smallTar, expectedTar);
    clearHardLinkTypeBits(expectedTar, indexTar(expectedTar));
    expect(sha256(path.join(cache, 'rootfs', state.entries.rootfs[0], 'rootfs.tar'))).toBe(sha256(expectedTar));
    rmSync(expectedTar);
    expect(existsSync(output)).toBe(false);
  });
});
