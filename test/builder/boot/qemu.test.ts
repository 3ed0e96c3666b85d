import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOGIN_PROMPT, bootUntil } from '../../../src/builder/boot/qemu';
import { BuilderError } from '../../../src/builder/common/errors';
import { FakeBin, fakeBin, fakePid, fakeQemuBody, isolatedTmpdir, isRunning } from '../support/fake-tools';
import { tempDir } from '../support/tar';

// Both cores may be busy: waits are bounded generously, never tight.
jest.setTimeout(180_000);

let bin: FakeBin;
let images: ReturnType<typeof tempDir>;
let tmp: ReturnType<typeof isolatedTmpdir>;
let image: string;

beforeEach(() => {
  bin = fakeBin();
  bin.onPath();
  images = tempDir('cdvm-boot-test-');
  image = path.join(images.dir, 'disk.img');
  fs.writeFileSync(image, 'not really a disk');
  tmp = isolatedTmpdir();
  // KVM may be usable on the machine that runs the tests: start under TCG everywhere.
  process.env.CDKTF_DOCKER_VM_ACCEL = 'tcg';
});

afterEach(() => {
  delete process.env.CDKTF_DOCKER_VM_ACCEL;
  tmp.restore();
  images.cleanup();
  bin.cleanup();
});

describe('bootUntil', () => {
  test('boots QEMU on the image until the login prompt, then stops it and removes its temp dir', async () => {
    // GIVEN
    bin.add('qemu-system-x86_64', fakeQemuBody());
    const shown: string[] = [];
    // WHEN
    const result = await bootUntil({ image, memoryMiB: 512, timeoutSeconds: 120, onConsole: text => shown.push(text) });
    // THEN
    expect(result.accelerator).toBe('tcg');
    expect(result.console).toContain(`argv: -machine pc -accel tcg -m 512 -smp 2 -display none -monitor none -serial stdio -no-reboot -drive file=${image},format=raw,if=virtio,snapshot=on -nic user,model=virtio-net-pci\n`);
    expect(result.console).toMatch(/vm login: $/);
    expect(shown.join('')).toBe(result.console);
    expect(result.seconds).toBeGreaterThan(0);
    expect(isRunning(fakePid(result.console))).toBe(false);
    expect(tmp.leftovers()).toEqual([]);
  });

  test('fails when the console does not show the pattern in time, and stops QEMU', async () => {
    // GIVEN
    bin.add('qemu-system-x86_64', fakeQemuBody());
    let shown = '';
    // WHEN
    const error = await bootUntil({ image, until: /never/, timeoutSeconds: 3, onConsole: text => { shown += text; } })
      .catch((e: unknown) => e) as BuilderError;
    // THEN
    expect(error).toBeInstanceOf(BuilderError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/^the VM did not reach \/never\/ within 3 s; last console lines:\n/);
    if (/^pid: /m.test(shown)) expect(isRunning(fakePid(shown))).toBe(false);
    expect(tmp.leftovers()).toEqual([]);
  });

  test('fails when QEMU exits before the login prompt, with its stderr', async () => {
    // GIVEN
    bin.add('qemu-system-x86_64', 'echo "qemu-system-x86_64: -drive file=x: Could not open \'x\'" >&2; exit 1');
    // WHEN
    const error = await bootUntil({ image, timeoutSeconds: 120 }).catch((e: unknown) => e) as BuilderError;
    // THEN
    expect(error).toBeInstanceOf(BuilderError);
    expect(error.message).toBe('QEMU exited (1) before /^\\S+ login: /m showed: qemu-system-x86_64: -drive file=x: Could not open \'x\'; last console lines:\n  | ');
    expect(tmp.leftovers()).toEqual([]);
  });
});

describe('LOGIN_PROMPT', () => {
  test.each([
    ['getty\'s prompt at the end of the console', 'Debian GNU/Linux 12 vm ttyS0\n\nvm login: '],
    ['a kernel message on the same line after the prompt', 'vm login: [   41.2] random: crng init done\n'],
    ['an Alpine prompt', 'Welcome to Alpine Linux 3.20\r\nlocalhost login: '],
  ])('matches %s', (_what, console) => {
    expect(console).toMatch(LOGIN_PROMPT);
  });

  test.each([
    ['a boot message that mentions login', '[  OK  ] Started systemd-logind.service - User Login Management.\n'],
    ['the prompt not yet complete', 'vm login'],
  ])('does not match %s', (_what, console) => {
    expect(console).not.toMatch(LOGIN_PROMPT);
  });
});
