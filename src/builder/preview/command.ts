import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseForward } from './qemu-args';
import { PreviewGuestOptions, PreviewSession, startPreview } from './run';
import { CommandArgs, Io, one } from '../cli-args';
import { SpecError } from '../common/errors';
import { Progress } from '../common/progress';
import { diskFormat, memoryMiB, readSizeMiB, seconds } from '../flag-values';
import { requireDiskImage } from '../input-checks';
import { DiskFormatName, PreviewMetadataSpec } from '../spec';

/** A disk built from a LocalPreview spec, with the metadata its Droplets get. */
export interface PreviewFromSpec {
  readonly image: string;
  readonly format: DiskFormatName;
  readonly metadata: PreviewMetadataSpec;
}

/** `--disk-size`: any size above zero. */
export function parseDiskSizeMiB(value: string): number {
  const mib = readSizeMiB(value);
  if (!mib) throw new SpecError(`--disk-size ${value} is not a size; write it like 25G or 4096M`);
  return mib;
}

/**
 * `preview IMAGE --ssh-key FILE.pub`: boots the image like a Droplet, waits
 * until ssh and cloud-init are done, prints the ssh command on stdout, then
 * runs until SIGINT/SIGTERM (or stops at once with --exit-when-ready).
 */
export async function previewCommand(
  args: CommandArgs, progress: Progress, signal: AbortSignal, io: Io, fromSpec?: PreviewFromSpec,
): Promise<number> {
  rejectVirtiofsOnlyFlags(args);
  if (fromSpec && args.positional.length > 0) throw new SpecError(`unexpected argument ${args.positional[0]}: with --spec the image comes from the spec`);
  const image = fromSpec?.image ?? args.positional[0];
  if (!image) throw new SpecError('preview needs an IMAGE; example: cdktf-docker-vm preview vm.qcow2 --ssh-key ~/.ssh/id_ed25519.pub');
  if (args.positional.length > 1) throw new SpecError(`unexpected argument ${args.positional[1]}; preview takes one IMAGE`);
  if (!fromSpec) requireDiskImage(image);
  const sshKey = one(args, 'ssh-key') ?? (fromSpec ? defaultKeyFor(fromSpec.metadata.publicKeys) : undefined);
  if (!sshKey) {
    throw new SpecError(fromSpec
      ? 'none of ~/.ssh/id_ed25519.pub, id_ecdsa.pub, id_rsa.pub is one of the spec\'s public keys; pass --ssh-key FILE.pub of a key pair you hold'
      : 'preview needs --ssh-key FILE.pub (cloud-init installs it; password login is off, as on DigitalOcean)');
  }
  const format = diskFormat(one(args, 'format')) ?? fromSpec?.format;
  const diskSize = one(args, 'disk-size');
  const guest = guestOptionsFromArgs(args, progress, signal, sshKey, fromSpec?.metadata);
  const specUserData = fromSpec?.metadata.userData !== undefined && one(args, 'user-data') === undefined
    ? writePrivateTemp('user_data', fromSpec.metadata.userData) : undefined;
  let session: PreviewSession;
  try {
    session = await startPreview({
      ...guest,
      image,
      format,
      userData: guest.userData ?? specUserData?.file,
      diskSizeMiB: diskSize === undefined ? undefined : parseDiskSizeMiB(diskSize),
      directKernel: args.flags.has('direct-kernel'),
    });
  } finally {
    specUserData?.remove();
  }
  return runSession(session, args, progress, signal, io);
}

/** Source flags belong to --virtiofs: a disk IMAGE was built already. */
const VIRTIOFS_ONLY_FLAGS = ['dockerfile', 'image', 'tar', 'context', 'build-arg', 'target', 'inject', 'profile', 'no-app-service'];

function rejectVirtiofsOnlyFlags(args: CommandArgs): void {
  const stray = VIRTIOFS_ONLY_FLAGS.find(f => args.flags.has(f));
  if (stray) {
    throw new SpecError(`--${stray} is a source flag of preview --virtiofs; add --virtiofs to boot that source with no disk, or build a disk first (cdktf-docker-vm build --${stray} ... --output vm.qcow2) and preview vm.qcow2`);
  }
}

/** The flags every preview takes (ssh key, user data, hostname, ports, user, timeout, console log, memory). */
export function guestOptionsFromArgs(
  args: CommandArgs, progress: Progress, signal: AbortSignal, sshKey: string, metadata?: PreviewMetadataSpec,
): PreviewGuestOptions {
  const sshPort = one(args, 'ssh-port');
  if (sshPort !== undefined && !/^\d+$/.test(sshPort)) throw new SpecError(`--ssh-port ${sshPort} is not a port number`);
  const timeoutFlag = one(args, 'timeout');
  return {
    sshPublicKey: sshKey,
    extraPublicKeys: metadata?.publicKeys,
    userData: one(args, 'user-data'),
    hostname: one(args, 'hostname') ?? metadata?.hostname,
    sshPort: sshPort === undefined ? undefined : Number(sshPort),
    forwards: (args.flags.get('forward') ?? []).map(parseForward),
    user: one(args, 'user'),
    timeoutSeconds: timeoutFlag === undefined ? undefined : seconds('timeout', timeoutFlag),
    consoleLog: one(args, 'console-log'),
    memoryMiB: memoryMiB(one(args, 'memory')),
    progress,
    signal,
  };
}

/** Reports readiness, prints the ssh command, then stops at once (--exit-when-ready) or runs until a signal. */
export async function runSession(session: PreviewSession, args: CommandArgs, progress: Progress, signal: AbortSignal, io: Io): Promise<number> {
  try {
    const ok = session.cloudInitStatus === 'done';
    if (!ok) {
      io.stderr.write(`cdktf-docker-vm: warning: cloud-init finished with status ${session.cloudInitStatus}` +
        `${session.cloudInitDetail ? `:\n${session.cloudInitDetail.replace(/^/gm, '  | ')}` : ''}\n` +
        '  look inside with the ssh command below: cloud-init status --long; less /var/log/cloud-init.log\n');
    }
    progress.step('preview', `ready: ${describeTimings(session)}; console log ${session.consoleLog}`);
    io.stdout.write(`${session.sshCommand}\n`);
    if (args.flags.has('exit-when-ready')) {
      progress.step('preview', 'stopping the VM (--exit-when-ready)');
      return ok ? 0 : 1;
    }
    progress.step('preview', 'the VM runs until Ctrl-C');
    const why = await Promise.race([
      session.exited,
      new Promise<string>(resolve => signal.addEventListener('abort', () => resolve('interrupted'), { once: true })),
    ]);
    progress.step('preview', why === 'interrupted' ? 'stopping the VM' : `the VM stopped: ${why}`);
    return why === 'interrupted' || /\(0\)/.test(why) ? 0 : 1;
  } finally {
    await session.stop();
  }
}

function describeTimings(session: PreviewSession): string {
  const t = session.timings;
  return `sshd ${t.sshdAnswering.toFixed(1)} s, key accepted ${t.keyAccepted.toFixed(1)} s, cloud-init ${session.cloudInitStatus} ${t.cloudInitDone.toFixed(1)} s (${session.accelerator})`;
}

/** The first of the usual key files whose key is one the spec gives the Droplets. */
function defaultKeyFor(publicKeys: readonly string[]): string | undefined {
  const wanted = new Set(publicKeys.map(keyBody));
  for (const name of ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub']) {
    const file = path.join(homedir(), '.ssh', name);
    if (existsSync(file) && wanted.has(keyBody(readFileSync(file, 'utf8')))) return file;
  }
  return undefined;
}

/** Type and base64 of an OpenSSH public key line, without the comment. */
function keyBody(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(' ');
}

/** user_data from a spec, in a file only this user can read, for the config drive. */
function writePrivateTemp(name: string, content: string): { file: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cdktf-docker-vm-spec-'));
  const file = path.join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
