import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Accelerator, QemuProcess, STOP_GRACE_MS } from '../../../src/builder/boot/qemu-process';
import { BuilderError } from '../../../src/builder/common/errors';
import { FakeBin, fakeBin, fakePid, fakeQemuBody, isRunning } from '../support/fake-tools';

// Both cores may be busy: waits are bounded generously, never tight.
jest.setTimeout(180_000);
const WAIT_SECONDS = 120;
const LOGIN = /login: *$/m;
const KVM_FAILS = 'case "$*" in *"-accel kvm"*) echo "qemu-system-x86_64: Could not access KVM kernel module: No such file or directory" >&2; exit 1;; esac';

let bin: FakeBin;
let opened: QemuProcess[];

beforeEach(() => {
  bin = fakeBin();
  opened = [];
});

afterEach(async () => {
  for (const qemu of opened) await qemu.close();
  bin.cleanup();
});

function qemuRunning(body: string): QemuProcess {
  const qemu = new QemuProcess(bin.add('qemu-system-x86_64', body), 'cdvm-qemu-process-test-');
  opened.push(qemu);
  return qemu;
}

/** Boots until the login prompt, recording the accelerator of each start. */
function bootToLogin(qemu: QemuProcess, extra: { tryKvm?: boolean; kvmSilenceMs?: number; beforeTcg?: (why: string) => void } = {}) {
  const starts: Accelerator[] = [];
  const done = qemu.boot({
    argv: accelerator => ['-accel', accelerator, '-pidfile', path.join(qemu.dir, `${accelerator}.pid`)],
    tryKvm: false,
    ...extra,
    ready: accelerator => {
      starts.push(accelerator);
      return qemu.waitFor(LOGIN, WAIT_SECONDS);
    },
  });
  return { done, starts };
}

describe('QemuProcess', () => {
  test('starts QEMU from the argv and resolves once the cleaned console shows the pattern', async () => {
    // GIVEN
    const qemu = qemuRunning(fakeQemuBody());
    const chunks: string[] = [];
    // WHEN
    await qemu.boot({
      argv: () => ['-drive', 'file=/tmp/a b.img,format=raw', '-serial', 'stdio'],
      tryKvm: false,
      onConsole: text => chunks.push(text),
      ready: () => qemu.waitFor(LOGIN, WAIT_SECONDS),
    });
    // THEN
    expect(qemu.accelerator).toBe('tcg');
    expect(qemu.console).toContain('argv: -drive file=/tmp/a b.img,format=raw -serial stdio\n');
    expect(qemu.console).toContain('[  OK  ] Reached target multi-user\n');
    expect(qemu.console).toMatch(/vm login: $/);
    expect(chunks.join('')).toBe(qemu.console);
    expect(qemu.exitReason).toBeUndefined();
    expect(isRunning(fakePid(qemu.console))).toBe(true);
  });

  test('stop() ends QEMU with SIGTERM and resolves once it has exited', async () => {
    // GIVEN QEMU that says when it gets SIGTERM
    const qemu = qemuRunning([
      'trap \'echo got SIGTERM; exit 0\' TERM',
      'printf \'pid: %s\\nvm login: \' "$$"',
      'while :; do sleep 1; done',
    ].join('\n'));
    await bootToLogin(qemu).done;
    const pid = fakePid(qemu.console);
    // WHEN
    await qemu.stop();
    // THEN
    expect(qemu.console).toContain('got SIGTERM');
    expect(isRunning(pid)).toBe(false);
    expect(qemu.exitReason).toBe('stopped');
    await expect(qemu.exited).resolves.toBe('stopped');
  });

  test('stop() kills QEMU with SIGKILL when it ignores SIGTERM for the grace period', async () => {
    // GIVEN
    const qemu = qemuRunning(fakeQemuBody('trap \'\' TERM'));
    await bootToLogin(qemu).done;
    const pid = fakePid(qemu.console);
    const started = Date.now();
    // WHEN
    await qemu.stop();
    // THEN
    expect(isRunning(pid)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(STOP_GRACE_MS - 50);
    expect(Date.now() - started).toBeLessThan(STOP_GRACE_MS + 30_000); // bounded, even on a busy machine
  });

  test('falls back to TCG when QEMU reports that KVM does not work', async () => {
    // GIVEN
    const qemu = qemuRunning(fakeQemuBody(KVM_FAILS));
    const reasons: string[] = [];
    // WHEN
    const { done, starts } = bootToLogin(qemu, { tryKvm: true, beforeTcg: why => { reasons.push(why); } });
    await done;
    // THEN
    expect(starts).toEqual(['kvm', 'tcg']);
    expect(reasons).toEqual(['Could not access KVM kernel module: No such file or directory']);
    expect(qemu.accelerator).toBe('tcg');
    expect(qemu.console).toContain('argv: -accel tcg');
  });

  test('falls back to TCG when QEMU stays silent under KVM, and the silent QEMU is gone', async () => {
    // GIVEN QEMU that hangs without a word under KVM
    const qemu = qemuRunning(fakeQemuBody('case "$*" in *"-accel kvm"*) echo $$ > "$4"; exec sleep 600;; esac'));
    const reasons: string[] = [];
    // WHEN
    const { done, starts } = bootToLogin(qemu, { tryKvm: true, kvmSilenceMs: 1000, beforeTcg: why => { reasons.push(why); } });
    await done;
    // THEN
    expect(starts).toEqual(['kvm', 'tcg']);
    expect(reasons).toEqual(['no console output within 1 s']);
    expect(isRunning(Number(fs.readFileSync(path.join(qemu.dir, 'kvm.pid'), 'utf8')))).toBe(false);
  });

  test('fails when QEMU exits before the pattern, with its stderr and the console, without a TCG retry', async () => {
    // GIVEN
    const qemu = qemuRunning('echo booting; echo "qemu-system-x86_64: could not open disk image" >&2; exit 1');
    const beforeTcg = jest.fn();
    // WHEN
    const error = await bootToLogin(qemu, { tryKvm: true, beforeTcg }).done.catch((e: unknown) => e) as BuilderError;
    // THEN
    expect(error).toBeInstanceOf(BuilderError);
    expect(error.message).toBe('QEMU exited (1) before /login: *$/m showed: qemu-system-x86_64: could not open disk image; last console lines:\n  | booting');
    expect(qemu.exitReason).toBe('QEMU exited (1): qemu-system-x86_64: could not open disk image');
    await expect(qemu.exited).resolves.toBe(qemu.exitReason);
    expect(beforeTcg).not.toHaveBeenCalled();
  });

  test('words a known exit with explainExit', async () => {
    // GIVEN
    const qemu = qemuRunning('echo "qemu-system-x86_64: could not set up host forwarding rule" >&2; exit 1');
    // WHEN
    await qemu.boot({
      argv: () => [],
      tryKvm: false,
      explainExit: tail => (/host forwarding/.test(tail) ? `port in use: ${tail}` : undefined),
      ready: () => qemu.exited,
    });
    // THEN
    expect(qemu.exitReason).toBe('port in use: qemu-system-x86_64: could not set up host forwarding rule');
  });

  test('fails when the pattern does not show in time, with the last console lines', async () => {
    // GIVEN
    const qemu = qemuRunning(fakeQemuBody());
    await bootToLogin(qemu).done;
    // WHEN
    const error = await qemu.waitFor(/never/, 1).catch((e: unknown) => e) as BuilderError;
    // THEN
    expect(error).toBeInstanceOf(BuilderError);
    expect(error.message).toMatch(/^the VM did not reach \/never\/ within 1 s; last console lines:\n {2}\| argv: /);
    expect(error.message).toMatch(/\n {2}\| vm login:$/);
  });

  test('fails when the wait is aborted', async () => {
    // GIVEN
    const qemu = qemuRunning(fakeQemuBody());
    await bootToLogin(qemu).done;
    const controller = new AbortController();
    // WHEN
    const waiting = qemu.waitFor(/never/, WAIT_SECONDS, controller.signal);
    controller.abort();
    // THEN
    await expect(waiting).rejects.toThrow(new BuilderError('boot interrupted'));
  });

  test('fails when QEMU cannot start, naming the cause', async () => {
    // GIVEN
    const qemu = new QemuProcess(path.join(bin.dir, 'no-such-qemu'), 'cdvm-qemu-process-test-');
    opened.push(qemu);
    // WHEN
    const error = await bootToLogin(qemu).done.catch((e: unknown) => e) as NodeJS.ErrnoException;
    // THEN
    expect(error.code).toBe('ENOENT');
    expect(qemu.exitReason).toMatch(/^QEMU did not start: spawn .*no-such-qemu ENOENT$/);
  });

  test('close() stops QEMU and removes its temp dir and its exit hook', async () => {
    // GIVEN
    const hooks = process.listenerCount('exit');
    const qemu = qemuRunning(fakeQemuBody());
    expect(process.listenerCount('exit')).toBe(hooks + 1);
    fs.writeFileSync(path.join(qemu.dir, 'overlay.qcow2'), 'guest writes');
    await bootToLogin(qemu).done;
    // WHEN
    await qemu.close();
    // THEN
    expect(isRunning(fakePid(qemu.console))).toBe(false);
    expect(fs.existsSync(qemu.dir)).toBe(false);
    expect(process.listenerCount('exit')).toBe(hooks);
  });

  test('a hard exit of Node (process.exit) kills QEMU and removes the temp dir', async () => {
    // GIVEN a Node process running QEMU
    const fake = bin.add('qemu-system-x86_64', fakeQemuBody());
    const script = `
      const { QemuProcess } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/builder/boot/qemu-process.ts'))});
      const qemu = new QemuProcess(${JSON.stringify(fake)}, 'cdvm-qemu-process-test-');
      qemu.boot({ argv: () => [], tryKvm: false, ready: () => qemu.waitFor(/login: *$/m, ${WAIT_SECONDS}) }).then(() => {
        console.log(JSON.stringify({ dir: qemu.dir, console: qemu.console }));
        process.exit(130);
      });`;
    // WHEN
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    const code = await new Promise(resolve => child.on('close', resolve));
    // THEN
    expect(code).toBe(130);
    const { dir, console } = JSON.parse(stdout) as { dir: string; console: string };
    const pid = fakePid(console);
    expect(fs.existsSync(dir)).toBe(false);
    // SIGKILL was sent at exit; the kernel may take a moment to end the process.
    const deadline = Date.now() + 60_000;
    while (isRunning(pid) && Date.now() < deadline) await new Promise(r => setTimeout(r, 200));
    expect(isRunning(pid)).toBe(false);
  });
});
