import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuilderError } from '../../../src/builder/common/errors';
import { Progress } from '../../../src/builder/common/progress';
import { startPreview } from '../../../src/builder/preview/run';
import { FakeBin, fakeBin, isolatedTmpdir, isRunning } from '../support/fake-tools';
import { tempDir } from '../support/tar';

// Both cores may be busy: waits are bounded generously, never tight.
jest.setTimeout(300_000);
const READY_SECONDS = 240;
const PUB = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8hW2q0v3Xz preview@test\n';

/**
 * A QEMU stand-in for preview: answers with an SSH banner on the forwarded port,
 * writes a console, and exits on SIGTERM the way QEMU does.
 */
const FAKE_QEMU = `
const args = process.argv.slice(2);
const accel = args[args.indexOf('-accel') + 1];
const port = Number(/hostfwd=tcp:127\\.0\\.0\\.1:(\\d+)-:22/.exec(args[args.indexOf('-netdev') + 1])[1]);
process.on('SIGTERM', () => { process.stdout.write('\\nterminating on signal 15\\n', () => process.exit(0)); });
require('node:net').createServer(s => s.end('SSH-2.0-fake\\r\\n')).listen(port, '127.0.0.1', () => {
  process.stdout.write('pid: ' + process.pid + '\\r\\n\\x1b[0;32mOK\\x1b[0m accel ' + accel + '\\r\\npreview login: ');
});`;

let bin: FakeBin;
let inputs: ReturnType<typeof tempDir>;
let tmp: ReturnType<typeof isolatedTmpdir>;
let steps: string[];

beforeEach(() => {
  bin = fakeBin();
  bin.add('qemu-img', 'case "$1" in info) echo \'{"virtual-size": 1048576}\';; esac');
  bin.add('genisoimage', 'exit 0');
  bin.add('ssh', 'case "$*" in *"cloud-init status"*) echo "status: done";; esac');
  bin.onPath();
  inputs = tempDir('cdvm-preview-run-test-');
  fs.writeFileSync(path.join(inputs.dir, 'vm.qcow2'), 'not really an image');
  fs.writeFileSync(path.join(inputs.dir, 'id.pub'), PUB);
  fs.writeFileSync(path.join(inputs.dir, 'id'), 'private', { mode: 0o600 });
  tmp = isolatedTmpdir();
  // KVM may be usable on the machine that runs the tests: start under TCG everywhere.
  process.env.CDKTF_DOCKER_VM_ACCEL = 'tcg';
  steps = [];
});

afterEach(() => {
  delete process.env.CDKTF_DOCKER_VM_ACCEL;
  tmp.restore();
  inputs.cleanup();
  bin.cleanup();
});

function preview() {
  return startPreview({
    image: path.join(inputs.dir, 'vm.qcow2'),
    sshPublicKey: path.join(inputs.dir, 'id.pub'),
    timeoutSeconds: READY_SECONDS,
    progress: new Progress(line => steps.push(line)),
  });
}

describe('startPreview', () => {
  test('boots QEMU, waits for ssh and cloud-init, and stop() ends QEMU and removes the temp dir', async () => {
    // GIVEN
    bin.addNode('qemu-system-x86_64', FAKE_QEMU);
    // WHEN
    const session = await preview();
    const log = fs.readFileSync(session.consoleLog, 'utf8');
    await session.stop();
    // THEN
    expect(session.accelerator).toBe('tcg');
    expect(session.cloudInitStatus).toBe('done');
    expect(steps.join('\n')).toContain(`preview: boot started (tcg), ssh on 127.0.0.1:${session.sshPort}, console log ${session.consoleLog}`);
    expect(log).toContain('OK accel tcg\npreview login: ');
    const pid = Number(/^pid: (\d+)$/m.exec(log)![1]);
    expect(isRunning(pid)).toBe(false);
    await expect(session.exited).resolves.toBe('stopped');
    expect(tmp.leftovers()).toEqual([]);
  });

  test('fails when QEMU cannot forward the ssh port, naming the flags to change, and leaves nothing behind', async () => {
    // GIVEN
    bin.add('qemu-system-x86_64', 'echo "qemu-system-x86_64: -netdev user,id=n0: could not set up host forwarding rule \'tcp:127.0.0.1:2222-:22\'" >&2; exit 1');
    // WHEN
    const error = await preview().catch((e: unknown) => e) as BuilderError;
    // THEN
    expect(error).toBeInstanceOf(BuilderError);
    expect(error.message).toBe('the VM stopped before sshd to answer on the forwarded port: ' +
      'QEMU could not forward a port (is it in use? pick another with --ssh-port/--forward): ' +
      'qemu-system-x86_64: -netdev user,id=n0: could not set up host forwarding rule \'tcp:127.0.0.1:2222-:22\'\n' +
      'last 40 console lines:\n  | (no console output)');
    expect(tmp.leftovers()).toEqual([]);
  });
});
