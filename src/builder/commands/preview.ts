import { ROOTFS_SOURCE_FLAGS } from './build-spec';
import { Command, CommandContext } from './command';
import { openCache } from './run-spec';
import { one } from '../cli-args';
import { SpecError } from '../common/errors';
import { buildStage, newBuildContext } from '../pipeline';
import { PreviewFromSpec, previewCommand } from '../preview/command';
import { previewVirtiofsCommand } from '../preview/virtiofs-command';
import { readSpecFile } from '../spec-file';

const OPTIONS = `Preview options
  --virtiofs             boot a source with no disk image: the rootfs (built or cached, exported once
                         beside its cache entry) is served by virtiofsd and the image's own kernel and
                         initrd boot with root=virtiofs; each boot gets a private copy, the cache stays
                         as built. Takes build's source flags instead of IMAGE:
                         --dockerfile FILE | --image REF | --tar FILE, with --context, --build-arg,
                         --target, --inject, --profile (default digitalocean), --no-app-service.
                         The initrd must hold virtiofs.ko (kernels this tool installs have it; else
                         RUN echo virtiofs >> /etc/initramfs-tools/modules before the kernel install).
                         Needs root: virtiofsd's namespace sandbox, and keeping the files' owners
                         (only root's tar can chown). Debian 12's virtiofsd (QEMU 7.2's C one) cannot run as
                         another user (setgroups is denied in a user namespace), so that is refused;
                         with a Rust virtiofsd (CDKTF_DOCKER_VM_VIRTIOFSD) another user's export is
                         all theirs and the guest sees every file as root's. QEMU needs no root.
  --spec FILE            a LocalPreview construct's spec (cdktf synth writes it): builds the disk when not
                         cached, and boots it with the Droplets' hostname, user data and public keys
  --ssh-key FILE.pub     public key put in the config drive; ssh logs in with FILE (required, except with
                         --spec: then ~/.ssh/id_{ed25519,ecdsa,rsa}.pub when it is one of the spec's keys)
  --user-data FILE       user_data for cloud-init (#cloud-config or a #! script, at most 64 KiB)
  --hostname NAME        hostname in the metadata (default preview)
  --disk-size SIZE       disk size the VM sees, so first-boot growpart has room (default 25G)
  --ssh-port PORT        host port forwarded to the guest's 22 on 127.0.0.1 (default: a free one)
  --forward HOST:GUEST   also forward 127.0.0.1:HOST to the guest's GUEST port (repeatable)
  --user NAME            user to log in as (default root)
  --timeout SECONDS      give up when not ready after this long (default 600)
  --console-log FILE     write the serial console here (default: a temp file, removed at the end)
  --direct-kernel        boot the image's kernel and initrd directly (skips the bootloader; faster)
  --exit-when-ready      stop the VM and exit once ready (0 when cloud-init is done, else 1)
  --memory MIB           guest memory (default 1024)
`;

/** `preview IMAGE` or `preview --spec FILE`: boots the image like a Droplet and prints the ssh command. */
export const preview: Command = {
  name: 'preview',
  flags: {
    'spec': 'value',
    'ssh-key': 'value',
    'user-data': 'value',
    'hostname': 'value',
    'disk-size': 'value',
    'ssh-port': 'value',
    'forward': 'repeatable',
    'user': 'value',
    'timeout': 'value',
    'console-log': 'value',
    'direct-kernel': 'switch',
    'exit-when-ready': 'switch',
    'format': 'value',
    'memory': 'value',
    'quiet': 'switch',
    'cache-dir': 'value',
    'virtiofs': 'switch',
    ...ROOTFS_SOURCE_FLAGS,
  },
  synopsis: 'IMAGE --ssh-key FILE.pub [--user-data FILE] [--direct-kernel] [options]\n  cdktf-docker-vm preview --virtiofs SOURCE --ssh-key FILE.pub [options]',
  options: OPTIONS,
  examples: [
    'vm.qcow2 --ssh-key ~/.ssh/id_ed25519.pub --user-data init.sh --forward 8080:80',
    '--virtiofs --dockerfile Dockerfile --ssh-key ~/.ssh/id_ed25519.pub --exit-when-ready',
  ],
  run: async (args, context) => {
    if (args.flags.has('virtiofs')) return previewVirtiofsCommand(args, context);
    const specPath = one(args, 'spec');
    const fromSpec = specPath ? await buildForPreview(specPath, one(args, 'cache-dir'), context) : undefined;
    return previewCommand(args, context.progress, context.signal, context.io, fromSpec);
  },
};

/** `preview --spec FILE`: builds (or finds in the cache) the spec's bootable disk. */
async function buildForPreview(specPath: string, cacheDirFlag: string | undefined, { tools, progress }: CommandContext): Promise<PreviewFromSpec> {
  const read = readSpecFile(specPath);
  const { specFile, baseDir } = read;
  if (!specFile.preview) {
    throw new SpecError(`spec file ${specPath} has no preview metadata; pass the <fingerprint>-preview.json file a LocalPreview construct writes at cdktf synth`);
  }
  if (specFile.spec.stage !== 'bootloader') throw new SpecError(`spec file ${specPath} is a ${specFile.spec.stage} stage; a preview boots a bootloader stage`);
  const cache = openCache(cacheDirFlag, read);
  const result = await buildStage(specFile.spec, newBuildContext(cache, tools, progress, baseDir));
  progress.printSummary();
  return { image: result.artifactPath, format: 'raw', metadata: specFile.preview };
}
