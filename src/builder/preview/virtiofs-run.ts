import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONSOLE_TAIL_LINES, checkOptions, freePort, KVM_SILENCE_MS, makeConfigDrive, portForwardFailure, PreviewGuestOptions, PreviewSession, readySession } from './run';
import { NotReadyError, SshTarget, waitUntilReady } from './ssh-wait';
import { planVirtiofsQemu } from './virtiofs';
import { VirtiofsBootFiles } from './virtiofs-boot';
import { findVirtiofsd, requireUsableVirtiofsd, VirtiofsDaemon } from './virtiofs-daemon';
import { planSessionCopy } from './virtiofs-export';
import { lastLines } from '../boot/console';
import { QemuProcess } from '../boot/qemu-process';
import { BuilderError, InterruptedError } from '../common/errors';
import { ToolRunner } from '../common/tools';

export interface VirtiofsPreviewOptions extends PreviewGuestOptions {
  /** The exported rootfs (kept as built: each boot gets a private copy). */
  readonly exported: string;
  readonly boot: VirtiofsBootFiles;
  /** Runs virtiofsd's namespace sandbox and keeps the files' owners; else virtiofsd runs in a user namespace. @default uid 0 */
  readonly root?: boolean;
  /** @default $CDKTF_DOCKER_VM_VIRTIOFSD, virtiofsd on PATH, else /usr/lib/qemu/virtiofsd */
  readonly virtiofsd?: string;
}

/**
 * Boots the image's own kernel and initrd with no disk: the root filesystem
 * is a private copy of the exported rootfs, served by virtiofsd. The same
 * config drive, ssh key, user data, forwards and readiness as startPreview.
 */
export async function startVirtiofsPreview(opts: VirtiofsPreviewOptions, tools = new ToolRunner(opts.signal)): Promise<PreviewSession> {
  const input = checkOptions(opts);
  tools.require(['qemu-system-x86_64', 'genisoimage', 'ssh', 'cp']);
  const virtiofsd = opts.virtiofsd ?? findVirtiofsd();
  const root = opts.root ?? process.getuid?.() === 0;
  requireUsableVirtiofsd(virtiofsd, root);
  const step = (message: string) => opts.progress?.step('preview', message);
  const qemu = new QemuProcess(tools.resolve('qemu-system-x86_64'), 'cdktf-docker-vm-preview-');
  const work = qemu.dir;
  const consoleLog = path.resolve(opts.consoleLog ?? path.join(work, 'console.log'));
  const sessionRoot = path.join(work, 'rootfs');
  const daemon = new VirtiofsDaemon(virtiofsd, sessionRoot, path.join(work, 'virtiofs.sock'), root);
  const shutdown = async () => {
    await qemu.stop();
    await daemon.stop();
    await qemu.close();
  };
  try {
    mkdirSync(sessionRoot);
    const copyStart = Date.now();
    await tools.run(planSessionCopy(opts.exported, sessionRoot));
    step(`copied the exported rootfs for this boot in ${((Date.now() - copyStart) / 1000).toFixed(1)} s (the cached export stays as built)`);
    const configDrive = await makeConfigDrive(input, work, tools);
    const sshPort = opts.sshPort ?? await freePort();
    writeFileSync(consoleLog, '');
    const target: SshTarget = { exe: tools.resolve('ssh'), privateKey: input.privateKey, port: sshPort, user: input.user };
    await daemon.start();
    const ready = await qemu.boot({
      argv: accelerator => planVirtiofsQemu({
        accelerator,
        configDrive,
        sshPort,
        forwards: opts.forwards ?? [],
        memoryMiB: opts.memoryMiB ?? 1024,
        cpus: opts.cpus ?? 2,
        socket: daemon.socket,
        kernel: opts.boot.kernel,
        initrd: opts.boot.initrd,
      }),
      onConsole: text => appendFileSync(consoleLog, text),
      kvmSilenceMs: KVM_SILENCE_MS,
      explainExit: stderr => portForwardFailure(stderr) ?? (/vhost|virtiofs|chardev/i.test(stderr) ? `QEMU could not use virtiofsd: ${stderr}; virtiofsd said: ${daemon.stderrTail()}` : undefined),
      ready: accelerator => {
        step(`boot started (${accelerator}, virtiofs root, ${root ? 'as root' : 'unprivileged: the guest sees every file as root\'s'}), ssh on 127.0.0.1:${sshPort}, console log ${consoleLog}`);
        return waitUntilReady(target, {
          startedAt: qemu.startedAt, deadline: input.deadline, signal: opts.signal, onStep: step, vmGone: () => qemu.exitReason,
        });
      },
      beforeTcg: async why => {
        step(`KVM does not work here (${why}); booting again with software emulation (tcg)`);
        await daemon.start(); // virtiofsd exits when its QEMU disconnects
        writeFileSync(consoleLog, '');
      },
    });
    return readySession({ sshPort, target, consoleLog, qemu, uuid: input.uuid, ready, stop: shutdown });
  } catch (e) {
    const tail = lastLines(qemu.console || '(no console output)', CONSOLE_TAIL_LINES);
    await shutdown();
    if (e instanceof InterruptedError || opts.signal?.aborted) throw new InterruptedError('preview interrupted; QEMU and virtiofsd stopped and temporary files removed');
    if (e instanceof NotReadyError) {
      throw new BuilderError(`${e.message}\nlast ${CONSOLE_TAIL_LINES} console lines${opts.consoleLog ? ` (full log: ${consoleLog})` : ''}:\n${tail}`);
    }
    throw e;
  }
}
