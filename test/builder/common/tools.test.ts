import * as fs from 'node:fs';
import * as path from 'node:path';
import { InterruptedError, ToolFailedError, ToolMissingError } from '../../../src/builder/common/errors';
import { findTool, installHint, TOOL_PACKAGES, ToolRunner } from '../../../src/builder/common/tools';
import { BootloaderSpec, COMPRESSIONS, DISK_FORMATS, FIRMWARES, ROOT_FILESYSTEMS, RootfsSpec, StageSpec } from '../../../src/builder/spec';
import { requiredTools } from '../../../src/builder/stages';
import { tempDir } from '../support/tar';

describe('findTool', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => tmp.cleanup());

  test('finds an executable on the given PATH, in order', () => {
    // GIVEN
    const a = path.join(tmp.dir, 'a');
    const b = path.join(tmp.dir, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, 'mytool'), 'not executable', { mode: 0o644 });
    fs.writeFileSync(path.join(b, 'mytool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(a, 'other'), '#!/bin/sh\n', { mode: 0o755 });
    // THEN: a's mytool is skipped, it is not executable
    expect(findTool('mytool', `${a}:${b}`)).toBe(path.join(b, 'mytool'));
    expect(findTool('other', `${a}:${b}`)).toBe(path.join(a, 'other'));
  });

  test('finds sh on the process PATH', () => {
    expect(findTool('sh')).toMatch(/\/sh$/);
  });

  test('takes a path with a slash as is', () => {
    expect(findTool('/bin/sh')).toBe('/bin/sh');
    expect(findTool(path.join(tmp.dir, 'nope'))).toBeUndefined();
  });

  test('gives undefined for a tool that is nowhere', () => {
    expect(findTool('cdktf-docker-vm-no-such-tool', tmp.dir)).toBeUndefined();
  });
});

describe('installHint', () => {
  test.each([
    ['mke2fs', 'install it with: apt-get install e2fsprogs (1.47.1 or later; on Debian 12: apt-get install -t bookworm-backports e2fsprogs)'],
    ['qemu-img', 'install it with: apt-get install qemu-utils'],
    ['sfdisk', 'install it with: apt-get install fdisk'],
    ['mcopy', 'install it with: apt-get install mtools'],
    ['docker', 'install it with: apt-get install docker.io'],
    ['fallocate', 'install it with: apt-get install util-linux'],
    ['frob', 'install frob and make sure it is on PATH'],
  ])('tells how to install %s', (tool, hint) => {
    expect(installHint(tool)).toBe(hint);
  });

  test('names a Debian package for every tool a build can require', () => {
    // GIVEN every format, compression, firmware and root filesystem, with and without the preflight
    const rootfs: RootfsSpec = { stage: 'rootfs', source: { kind: 'image', reference: 'debian:bookworm' } };
    const specs: StageSpec[] = [];
    for (const rootFilesystem of ROOT_FILESYSTEMS) {
      for (const firmware of FIRMWARES) {
        const bootloader: BootloaderSpec = {
          stage: 'bootloader',
          extraKernelArgs: [],
          firmware,
          disk: { stage: 'disk', rootfs, partitionTable: 'gpt', bootPartitionMiB: 128, rootFilesystem },
        };
        for (const format of DISK_FORMATS) {
          for (const compression of COMPRESSIONS) {
            specs.push({ stage: 'convert', format, compression, bootloader }, { stage: 'convert', format, compression, bootloader, preflight: 'digitalocean' });
          }
        }
      }
    }
    // WHEN
    const tools = new Set(specs.flatMap(requiredTools));
    // THEN
    expect([...tools].filter(t => !TOOL_PACKAGES[t])).toEqual([]);
    expect(tools).toContain('fallocate');
  });
});

describe('ToolRunner', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => { tmp = tempDir(); });
  afterEach(() => tmp.cleanup());

  test('require() fails when a tool is missing, naming it with the install hint (exit 3)', () => {
    // GIVEN
    const runner = new ToolRunner();
    // THEN
    expect(() => runner.require(['sh', 'cdktf-docker-vm-no-such-tool'])).toThrow(ToolMissingError);
    expect(() => runner.require(['sh', 'cdktf-docker-vm-no-such-tool'])).toThrow(
      'cdktf-docker-vm-no-such-tool not found on PATH; install cdktf-docker-vm-no-such-tool and make sure it is on PATH',
    );
    expect(new ToolMissingError('x').exitCode).toBe(3);
  });

  test('require() accepts tools that are installed', () => {
    expect(() => new ToolRunner().require(['sh', 'sleep'])).not.toThrow();
  });

  test('run() returns stdout and stderr of a successful call', async () => {
    const result = await new ToolRunner().run({ tool: 'sh', args: ['-c', 'echo out; echo err >&2'] });
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n' });
  });

  test('run() passes arguments literally, without a shell', async () => {
    // GIVEN
    const evil = '$(echo pwned); `id` > /dev/null';
    // WHEN
    const result = await new ToolRunner().run({ tool: 'sh', args: ['-c', 'printf "%s" "$1"', 'sh', evil] });
    // THEN
    expect(result.stdout).toBe(evil);
  });

  test('run() fails when the tool exits non-zero, with argv, status and the stderr tail', async () => {
    // GIVEN
    const call = { tool: 'sh', args: ['-c', 'echo out; echo first >&2; echo err >&2; exit 3'], failureHint: 'fix the thing' };
    // WHEN
    const error = await new ToolRunner().run(call).catch((e: unknown) => e) as ToolFailedError;
    // THEN
    expect(error).toBeInstanceOf(ToolFailedError);
    expect(error.status).toBe(3);
    expect(error.exitCode).toBe(1);
    expect(error.stderrTail).toBe('first\nerr');
    expect(error.message).toBe('sh failed (exit 3): sh -c echo out; echo first >&2; echo err >&2; exit 3\n  | first\n  | err\nfix the thing');
  });

  test('run() keeps only the last 20 stderr lines', async () => {
    const error = await new ToolRunner().run({ tool: 'sh', args: ['-c', 'for i in $(seq 1 30); do echo line$i >&2; done; exit 1'] })
      .catch((e: unknown) => e) as ToolFailedError;
    expect(error.stderrTail.split('\n')).toEqual(Array.from({ length: 20 }, (_, i) => `line${i + 11}`));
  });

  test('run() writes stdout to stdoutFile', async () => {
    // GIVEN
    const out = path.join(tmp.dir, 'out.bin');
    // WHEN
    const result = await new ToolRunner().run({ tool: 'sh', args: ['-c', 'printf hello'], stdoutFile: out });
    // THEN
    expect(fs.readFileSync(out, 'utf8')).toBe('hello');
    expect(result.stdout).toBe('');
  });

  test('run() feeds input and reports stderr lines as they come', async () => {
    // GIVEN
    const lines: string[] = [];
    // WHEN
    const result = await new ToolRunner().run(
      { tool: 'sh', args: ['-c', 'cat; printf "a\\nb\\n\\nc" >&2'] },
      { input: 'from stdin', onStderrLine: l => lines.push(l) },
    );
    // THEN
    expect(result.stdout).toBe('from stdin');
    expect(lines).toEqual(['a', 'b', 'c']);
  });

  test('run() kills a tool that runs past its timeout', async () => {
    // GIVEN
    const started = Date.now();
    // WHEN
    const error = await new ToolRunner().run({ tool: 'sleep', args: ['5'] }, { timeoutMs: 200 }).catch((e: unknown) => e) as ToolFailedError;
    // THEN
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(ToolFailedError);
    expect(error.status).toBeNull();
    expect(error.message).toMatch(/^sleep failed \(killed\): sleep 5\nsleep did not finish within/);
  });

  test('run() fails with InterruptedError when the signal is already aborted', async () => {
    // GIVEN
    const controller = new AbortController();
    controller.abort();
    // THEN
    await expect(new ToolRunner(controller.signal).run({ tool: 'sh', args: ['-c', 'exit 0'] })).rejects.toThrow(InterruptedError);
  });

  test('run() stops the tool and fails with InterruptedError (exit 130) when aborted while running', async () => {
    // GIVEN
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    // WHEN
    const error = await new ToolRunner(controller.signal).run({ tool: 'sleep', args: ['5'] }).catch((e: unknown) => e) as InterruptedError;
    // THEN
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
    expect(error.message).toBe('build interrupted while running sleep');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('run() still runs a cleanup call after an abort, and the abort does not stop it', async () => {
    // GIVEN
    const controller = new AbortController();
    const tools = new ToolRunner(controller.signal);
    controller.abort();
    // WHEN
    const aborting = new AbortController();
    const running = new ToolRunner(aborting.signal).run({ tool: 'sh', args: ['-c', 'sleep 0.3; echo removed'] }, { cleanup: true });
    setTimeout(() => aborting.abort(), 50);
    // THEN
    await expect(tools.run({ tool: 'sh', args: ['-c', 'echo removed'] }, { cleanup: true })).resolves.toEqual({ stdout: 'removed\n', stderr: '' });
    await expect(running).resolves.toEqual({ stdout: 'removed\n', stderr: '' });
  });
});
