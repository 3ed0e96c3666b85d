import * as path from 'node:path';
import { guestOptionsFromArgs, runSession } from './command';
import { checkOptions } from './run';
import { requireVirtiofsInitrd, virtiofsBootFiles } from './virtiofs-boot';
import { findVirtiofsd, requireUsableVirtiofsd } from './virtiofs-daemon';
import { exportRootfs } from './virtiofs-export';
import { startVirtiofsPreview } from './virtiofs-run';
import { requireRootfsTar } from '../build-inputs';
import { CommandArgs, one } from '../cli-args';
import { sourceFromArgs } from '../commands/build-spec';
import { CommandContext } from '../commands/command';
import { openCache } from '../commands/run-spec';
import { SpecError } from '../common/errors';
import { choice } from '../flag-values';
import { requireDirectory, requireFile } from '../input-checks';
import { buildStage, newBuildContext } from '../pipeline';
import { RootfsMeta } from '../rootfs/meta';
import { INJECT_MODES, RootfsSpec, VM_PROFILES } from '../spec';

/** Flags of a disk preview that mean nothing when there is no disk. */
const DISK_ONLY_FLAGS: Readonly<Record<string, string>> = {
  'direct-kernel': '--virtiofs always boots the image\'s kernel and initrd directly; drop --direct-kernel',
  'disk-size': '--virtiofs boots with no disk, so there is no disk size; drop --disk-size',
  'format': '--virtiofs boots a source, not an IMAGE file, so there is no format; drop --format',
  'spec': '--virtiofs boots a --dockerfile, --image or --tar source, not a --spec; drop one of them',
};

/**
 * The rootfs stage `preview --virtiofs` boots, from the same source flags as
 * `build` and the same cache entry: the digitalocean profile by default (a
 * preview waits for cloud-init and sshd), --profile and --inject as in build.
 */
export function virtiofsSpecFromArgs(args: CommandArgs, cwd: string): RootfsSpec {
  if (args.positional.length > 0) {
    throw new SpecError(`--virtiofs boots a source (--dockerfile FILE, --image REF or --tar FILE), not an IMAGE file (${args.positional[0]}); ` +
      `drop ${args.positional[0]}, or drop --virtiofs to boot that disk`);
  }
  for (const [flag, message] of Object.entries(DISK_ONLY_FLAGS)) if (args.flags.has(flag)) throw new SpecError(message);
  if (!['dockerfile', 'image', 'tar'].some(s => args.flags.has(s))) {
    throw new SpecError('preview --virtiofs needs a source: --dockerfile FILE, --image REF or --tar FILE (the same as build); example: cdktf-docker-vm preview --virtiofs --dockerfile Dockerfile --ssh-key ~/.ssh/id_ed25519.pub');
  }
  const source = sourceFromArgs(args, cwd);
  return {
    stage: 'rootfs',
    source,
    vm: {
      inject: choice('inject', one(args, 'inject') ?? 'auto', INJECT_MODES),
      profile: choice('profile', one(args, 'profile') ?? 'digitalocean', VM_PROFILES),
      appService: !args.flags.has('no-app-service'),
    },
  };
}

/**
 * `preview --virtiofs SOURCE --ssh-key FILE.pub`: builds (or finds) the rootfs
 * stage, exports it once beside its cache entry, checks that the initrd can
 * mount virtiofs, and boots it with no disk.
 */
export async function previewVirtiofsCommand(args: CommandArgs, context: CommandContext): Promise<number> {
  const { progress, signal, io, tools } = context;
  const spec = virtiofsSpecFromArgs(args, process.cwd());
  const sshKey = one(args, 'ssh-key');
  if (!sshKey) throw new SpecError('preview --virtiofs needs --ssh-key FILE.pub (cloud-init installs it; password login is off, as on DigitalOcean)');
  const guest = guestOptionsFromArgs(args, progress, signal, sshKey);
  checkOptions(guest); // a bad key or user data fails now, not after the build
  requireUsableVirtiofsd(findVirtiofsd(), process.getuid?.() === 0);
  checkSource(spec);
  const cache = openCache(one(args, 'cache-dir'));
  const built = await buildStage(spec, newBuildContext(cache, tools, progress, process.cwd()));
  progress.printSummary();
  const meta = built.entry.meta as unknown as RootfsMeta;
  if (!meta.kernel) virtiofsBootFiles('', meta); // no kernel: fail before exporting
  const exported = await exportRootfs(built.entry, cache.dir, tools, m => progress.step('preview', m));
  const boot = virtiofsBootFiles(exported, meta);
  await requireVirtiofsInitrd(exported, boot, meta.kernel!, tools);
  const session = await startVirtiofsPreview({ ...guest, exported, boot }, tools);
  return runSession(session, args, progress, signal, io);
}

/** build's checks of the source's files, before any work. */
function checkSource(spec: RootfsSpec): void {
  const source = spec.source;
  if (source.kind === 'dockerfile') {
    requireFile(path.join(source.contextDir, source.dockerfile), '--dockerfile', 'give the path of a Dockerfile');
    requireDirectory(source.contextDir, '--context', 'give the build context directory (default: the Dockerfile\'s directory)');
  } else if (source.kind === 'tar') {
    requireRootfsTar(source.path, '--tar');
  }
}
