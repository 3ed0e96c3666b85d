import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { bootPartitionOffset, initrdCopy, planBootFileCopies, syslinuxCfgHasInitrd } from './boot-files';
import { checkHostname, checkPublicKey } from './config-drive';
import { DirectKernel, kernelCmdlineFromSyslinuxCfg, planPreviewQemu, PortForward, validPort } from './qemu-args';
import { NotReadyError, ReadyResult, ReadyTimings, runSsh, SshResult, SshTarget, sshCommandLine, waitUntilReady } from './ssh-wait';
import { writeConfigDriveIso } from './write-config-drive';
import { lastLines } from '../boot/console';
import { prepareImage } from '../boot/qemu';
import { QemuProcess } from '../boot/qemu-process';
import { DIGITALOCEAN_MAX_USER_DATA_BYTES } from '../clouds/digitalocean/facts';
import { BuilderError, InterruptedError, SpecError } from '../common/errors';
import { Progress } from '../common/progress';
import { ToolRunner } from '../common/tools';
import { DiskFormatName, qemuFormatName } from '../spec';

/** What every preview takes, whatever it boots from. */
export interface PreviewGuestOptions {
  /** OpenSSH public key file; the private key is the same path without `.pub`. */
  readonly sshPublicKey: string;
  /** More OpenSSH public keys (contents) for the config drive, e.g. all the Droplets' keys. */
  readonly extraPublicKeys?: readonly string[];
  readonly userData?: string;
  /** @default 'preview' */
  readonly hostname?: string;
  /** @default a free port */
  readonly sshPort?: number;
  readonly forwards?: readonly PortForward[];
  /** @default 'root' */
  readonly user?: string;
  /** @default 600 */
  readonly timeoutSeconds?: number;
  /** @default console.log in the session's temp dir */
  readonly consoleLog?: string;
  /** @default 1024 */
  readonly memoryMiB?: number;
  /** @default 2 */
  readonly cpus?: number;
  readonly progress?: Progress;
  readonly signal?: AbortSignal;
}

export interface PreviewOptions extends PreviewGuestOptions {
  readonly image: string;
  /** Guessed from the file name when absent. */
  readonly format?: DiskFormatName;
  /** Virtual size of the overlay the guest sees, so first-boot growpart has room. @default 25 GiB */
  readonly diskSizeMiB?: number;
  /** Boot the image's kernel and initrd with -kernel/-initrd, skipping the bootloader. */
  readonly directKernel?: boolean;
}

export interface PreviewSession {
  readonly sshPort: number;
  /** What a person types to log in. */
  readonly sshCommand: string;
  readonly consoleLog: string;
  readonly accelerator: 'kvm' | 'tcg';
  readonly uuid: string;
  readonly timings: ReadyTimings;
  readonly cloudInitStatus: string;
  readonly cloudInitDetail?: string;
  /** Settles when QEMU exits, with the reason. */
  readonly exited: Promise<string>;
  /** Runs a command in the guest over ssh as the preview user. */
  ssh(command: readonly string[], options?: { extraOptions?: readonly string[]; timeoutMs?: number }): Promise<SshResult>;
  /** Stops QEMU and removes the temp dir (the overlay, config drive, default console log). */
  stop(): Promise<void>;
}

/** The session of a preview that is ready: the same for a disk and a virtiofs root. */
export function readySession(parts: {
  sshPort: number; target: SshTarget; consoleLog: string; qemu: QemuProcess; uuid: string; ready: ReadyResult; stop: () => Promise<void>;
}): PreviewSession {
  const { sshPort, target, consoleLog, qemu, ready } = parts;
  return {
    sshPort,
    sshCommand: sshCommandLine(target),
    consoleLog,
    accelerator: qemu.accelerator,
    uuid: parts.uuid,
    timings: ready.timings,
    cloudInitStatus: ready.cloudInitStatus,
    cloudInitDetail: ready.cloudInitDetail,
    ssh: (command, o = {}) => runSsh(target, command, { timeoutMs: o.timeoutMs ?? 120_000, extraOptions: o.extraOptions }),
    stop: parts.stop,
    exited: qemu.exited,
  };
}

export const DEFAULT_DISK_SIZE_MIB = 25 * 1024;
export const DEFAULT_HOSTNAME = 'preview';
export const CONSOLE_TAIL_LINES = 40;
/**
 * Where /dev/kvm exists but does not work, QEMU may hang without a word
 * (seen here with -kernel) instead of reporting a KVM error. Under KVM the
 * bootloader or kernel writes to the serial console within a second or two.
 */
export const KVM_SILENCE_MS = 20_000;

/**
 * Boots an image like a DigitalOcean Droplet (SeaBIOS, virtio disk, config
 * drive, DHCP, SSH key) and resolves once ssh works and cloud-init finished.
 * The image is never written: the guest writes to a qcow2 overlay in a temp dir.
 */
export async function startPreview(opts: PreviewOptions, tools = new ToolRunner(opts.signal)): Promise<PreviewSession> {
  if (!isFile(opts.image)) throw new SpecError(`image ${opts.image} does not exist; build one with: cdktf-docker-vm build --dockerfile Dockerfile --output ${opts.image}`);
  const input = checkOptions(opts);
  tools.require(['qemu-system-x86_64', 'qemu-img', 'genisoimage', 'ssh', ...(opts.directKernel ? ['mcopy', 'sfdisk'] : [])]);
  const step = (message: string) => opts.progress?.step('preview', message);
  const qemu = new QemuProcess(tools.resolve('qemu-system-x86_64'), 'cdktf-docker-vm-preview-');
  const work = qemu.dir;
  const consoleLog = path.resolve(opts.consoleLog ?? path.join(work, 'console.log'));
  try {
    const { file, format } = await prepareImage(opts.image, opts.format, work, tools);
    const overlay = path.join(work, 'overlay.qcow2');
    await createOverlay(file, format, overlay, input.diskSizeMiB, tools);
    const configDrive = await makeConfigDrive(input, work, tools);
    const directKernel = opts.directKernel ? await readBootFiles(file, format, work, tools) : undefined;
    const sshPort = opts.sshPort ?? await freePort();
    writeFileSync(consoleLog, '');
    const target: SshTarget = { exe: tools.resolve('ssh'), privateKey: input.privateKey, port: sshPort, user: input.user };

    const ready = await qemu.boot({
      argv: accelerator => planPreviewQemu({
        accelerator,
        overlay,
        configDrive,
        sshPort,
        forwards: opts.forwards ?? [],
        memoryMiB: opts.memoryMiB ?? 1024,
        cpus: opts.cpus ?? 2,
        directKernel,
      }),
      onConsole: text => appendFileSync(consoleLog, text),
      kvmSilenceMs: KVM_SILENCE_MS,
      explainExit: portForwardFailure,
      ready: accelerator => {
        step(`boot started (${accelerator}${directKernel ? ', direct kernel' : ''}), ssh on 127.0.0.1:${sshPort}, console log ${consoleLog}`);
        return waitUntilReady(target, {
          startedAt: qemu.startedAt, deadline: input.deadline, signal: opts.signal, onStep: step, vmGone: () => qemu.exitReason,
        });
      },
      beforeTcg: async why => {
        step(`KVM does not work here (${why}); booting again with software emulation (tcg)`);
        await createOverlay(file, format, overlay, input.diskSizeMiB, tools);
        writeFileSync(consoleLog, '');
      },
    });
    return readySession({ sshPort, target, consoleLog, qemu, uuid: input.uuid, ready, stop: () => qemu.close() });
  } catch (e) {
    const tail = lastLines(qemu.console || '(no console output)', CONSOLE_TAIL_LINES);
    await qemu.close();
    if (e instanceof InterruptedError || opts.signal?.aborted) throw new InterruptedError('preview interrupted; QEMU stopped and temporary files removed');
    if (e instanceof NotReadyError) {
      throw new BuilderError(`${e.message}\nlast ${CONSOLE_TAIL_LINES} console lines${opts.consoleLog ? ` (full log: ${consoleLog})` : ''}:\n${tail}`);
    }
    throw e;
  }
}

/** A port QEMU could not forward is the user's to fix: name the flags that pick another. */
export function portForwardFailure(stderrTail: string): string | undefined {
  return /hostfwd|host forwarding/i.test(stderrTail)
    ? `QEMU could not forward a port (is it in use? pick another with --ssh-port/--forward): ${stderrTail}`
    : undefined;
}

export interface CheckedInput {
  readonly publicKey: string;
  readonly extraPublicKeys: readonly string[];
  readonly privateKey: string;
  readonly userData?: Buffer;
  readonly hostname: string;
  readonly user: string;
  readonly diskSizeMiB: number;
  readonly uuid: string;
  readonly deadline: number;
}

/** Every input is checked before anything is created, so a bad one leaves nothing behind. */
export function checkOptions(opts: PreviewGuestOptions & { diskSizeMiB?: number }): CheckedInput {
  const pub = opts.sshPublicKey;
  if (!isFile(pub)) throw new SpecError(`--ssh-key ${pub} does not exist; make a key pair with: ssh-keygen -t ed25519 -f KEY, then pass --ssh-key KEY.pub`);
  if (!pub.endsWith('.pub')) throw new SpecError(`--ssh-key ${pub} must be the public key file ending in .pub (the private key is the same path without .pub)`);
  const publicKey = readFileSync(pub, 'utf8');
  const keyProblem = checkPublicKey(publicKey);
  if (keyProblem) throw new SpecError(`--ssh-key ${pub} ${keyProblem}`);
  const privateKey = path.resolve(pub.slice(0, -'.pub'.length));
  if (!isFile(privateKey)) throw new SpecError(`the private key ${privateKey} for --ssh-key ${pub} is missing; ssh needs it to log in (pass the .pub of a key pair whose private half sits next to it)`);
  if ((statSync(privateKey).mode & 0o077) !== 0) throw new SpecError(`the private key ${privateKey} can be read by other users and ssh refuses it; run: chmod 600 ${privateKey}`);
  let userData: Buffer | undefined;
  if (opts.userData !== undefined) {
    if (!isFile(opts.userData)) throw new SpecError(`--user-data ${opts.userData} does not exist; pass a cloud-config (#cloud-config) or script (#!) file`);
    userData = readFileSync(opts.userData);
    if (userData.length > DIGITALOCEAN_MAX_USER_DATA_BYTES) throw new SpecError(`--user-data ${opts.userData} is ${userData.length} bytes; DigitalOcean accepts at most ${DIGITALOCEAN_MAX_USER_DATA_BYTES} (64 KiB), so shorten it`);
  }
  const hostname = opts.hostname ?? DEFAULT_HOSTNAME;
  const hostnameProblem = checkHostname(hostname);
  if (hostnameProblem) throw new SpecError(`--hostname ${hostname} ${hostnameProblem}`);
  const user = opts.user ?? 'root';
  if (!/^[a-z_][a-z0-9_-]*\$?$/.test(user)) throw new SpecError(`--user ${user} is not a user name; use e.g. root`);
  const diskSizeMiB = opts.diskSizeMiB ?? DEFAULT_DISK_SIZE_MIB;
  if (!Number.isInteger(diskSizeMiB) || diskSizeMiB <= 0) throw new SpecError(`--disk-size must be a whole positive size like 25G, got ${diskSizeMiB} MiB`);
  if (opts.sshPort !== undefined && !validPort(opts.sshPort)) throw new SpecError(`--ssh-port ${opts.sshPort} is not a port (1-65535); leave it out to pick a free one`);
  const hostPorts = [...(opts.sshPort ? [opts.sshPort] : []), ...(opts.forwards ?? []).map(f => f.hostPort)];
  const dup = hostPorts.find((p, i) => hostPorts.indexOf(p) !== i);
  if (dup !== undefined) throw new SpecError(`host port ${dup} is forwarded twice; give each --forward and --ssh-port its own host port`);
  const timeoutSeconds = opts.timeoutSeconds ?? 600;
  if (!(timeoutSeconds > 0)) throw new SpecError(`--timeout must be a positive number of seconds, got ${timeoutSeconds}`);
  return {
    publicKey,
    extraPublicKeys: opts.extraPublicKeys ?? [],
    privateKey,
    userData,
    hostname,
    user,
    diskSizeMiB,
    uuid: randomUUID(),
    deadline: Date.now() + timeoutSeconds * 1000,
  };
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

async function createOverlay(file: string, format: DiskFormatName, overlay: string, sizeMiB: number, tools: ToolRunner): Promise<void> {
  const info = await tools.run({ tool: 'qemu-img', args: ['info', '--output=json', '-f', qemuFormatName(format), file] });
  const virtualBytes = (JSON.parse(info.stdout) as { 'virtual-size': number })['virtual-size'];
  const sizeBytes = sizeMiB * 1024 * 1024;
  if (sizeBytes < virtualBytes) {
    throw new SpecError(`--disk-size ${sizeMiB} MiB is smaller than the image (${Math.ceil(virtualBytes / 1024 / 1024)} MiB); give a larger size or leave it out (default 25G)`);
  }
  rmSync(overlay, { force: true });
  await tools.run({ tool: 'qemu-img', args: ['create', '-q', '-f', 'qcow2', '-b', path.resolve(file), '-F', qemuFormatName(format), overlay, String(sizeBytes)] });
}

export async function makeConfigDrive(input: CheckedInput, work: string, tools: ToolRunner): Promise<string> {
  const staging = path.join(work, 'config-drive');
  const iso = path.join(work, 'config-drive.iso');
  await writeConfigDriveIso(
    { uuid: input.uuid, hostname: input.hostname, publicKey: input.publicKey, extraPublicKeys: input.extraPublicKeys, userData: input.userData },
    staging, iso, tools,
  );
  return iso;
}

/** Kernel, initrd and command line out of the FAT boot partition; other formats go through a sparse raw copy. */
async function readBootFiles(file: string, format: DiskFormatName, work: string, tools: ToolRunner): Promise<DirectKernel> {
  let raw = file;
  if (format !== 'raw') {
    raw = path.join(work, 'image.raw');
    await tools.run({ tool: 'qemu-img', args: ['convert', '-f', qemuFormatName(format), '-O', 'raw', file, raw] });
  }
  try {
    const dump = await tools.run({ tool: 'sfdisk', args: ['--json', raw] });
    const offset = bootPartitionOffset(dump.stdout, file);
    const dir = path.join(work, 'boot');
    mkdirSync(dir);
    const copies = planBootFileCopies(raw, offset, dir);
    for (const call of copies.calls) await tools.run({ ...call, failureHint: `${file} has no syslinux boot partition made by cdktf-docker-vm; boot it without --direct-kernel` });
    const cfg = readFileSync(copies.syslinuxCfg, 'utf8');
    const append = kernelCmdlineFromSyslinuxCfg(cfg);
    if (!append) throw new BuilderError(`syslinux.cfg in ${file} has no APPEND line to take the kernel command line from; boot it without --direct-kernel`);
    let initrd: string | undefined;
    if (syslinuxCfgHasInitrd(cfg)) {
      await tools.run(initrdCopy(raw, offset, copies.initrd));
      initrd = copies.initrd;
    }
    return { kernel: copies.kernel, initrd, append };
  } finally {
    if (raw !== file) rmSync(raw, { force: true });
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it; QEMU binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
