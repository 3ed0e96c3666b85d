import { BUILD_LIBVIRT_FLAGS, BUILD_LIBVIRT_OPTIONS, libvirtOutputOfBuild } from './build-libvirt';
import { ROOTFS_SOURCE_FLAGS, buildSpecFromArgs } from './build-spec';
import { Command } from './command';
import { openCache, runSpec } from './run-spec';
import { checkBuildInputs } from '../build-inputs';
import { one } from '../cli-args';
import { SpecError } from '../common/errors';
import { writeLibvirtOutput } from '../libvirt/output';
import { checkOutputWritable, rootfsOf } from '../pipeline';
import { COMPRESSIONS, DEFAULT_BOOT_PARTITION_MIB, DISK_FORMATS, formatExtensions } from '../spec';

const OPTIONS = `Source (one of)
  --dockerfile FILE      build this Dockerfile (context: its directory, or --context)
  --image REF            export an existing image (pulled when not local)
  --tar FILE             a root filesystem tar (docker export CONTAINER > FILE)

Build options
  --context DIR          build context for --dockerfile
  --build-arg K=V        docker build argument (repeatable, passed literally)
  --target STAGE         multi-stage build target
  --output FILE          where to write the image (written atomically)
  --format F             ${DISK_FORMATS.join('|')} (default: from the output name: ${formatExtensions().slice(0, 3).map(e => `.${e}`).join(' ')}
                         ${formatExtensions().slice(3).map(e => `.${e}`).join(' ')}, or raw without an extension; another extension needs --format)
  --compress C           ${COMPRESSIONS.join('|')} (default: from the output name, else none; .ova and .box are never compressed)
  --size S               auto, or the whole disk size like 4G or 2048M (default auto:
                         rootfs data + inodes + journal + max(30%, 256 MiB) free)
  --partition-table T    mbr|gpt (default mbr)
  --boot-size MIB        FAT boot partition size in MiB (default ${DEFAULT_BOOT_PARTITION_MIB})
  --root-fs FS           ext4|xfs: root filesystem (default ext4; xfs: mkfs.xfs -p from xfsprogs,
                         hard links become copies, file times are the build's; not for DigitalOcean)
  --kernel-arg ARG       extra kernel command line argument (repeatable)
  --firmware FW          bios|uefi: syslinux for BIOS (MBR boot code), or syslinux.efi as
                         EFI/BOOT/BOOTX64.EFI on an EFI System Partition (default bios;
                         DigitalOcean boots BIOS only)
  --inject MODE          auto|never|always: add what the image lacks to boot as a VM with its
                         package manager (Debian/Ubuntu, Alpine, Fedora family) (default auto)
  --profile P            generic (kernel, init) | digitalocean (also cloud-init, sshd, DHCP,
                         locked root, no host keys, empty machine-id) (default generic)
  --no-app-service       do not run the image's ENTRYPOINT/CMD as a service at boot
  --cache-dir DIR        stage cache (default $CDKTF_DOCKER_VM_CACHE_DIR, $XDG_CACHE_HOME/cdktf-docker-vm
                         or ~/.cache/cdktf-docker-vm)
  --json                 print {stage, fingerprint, cacheKey, artifactPath, bytes, seconds} on stdout
  --quiet                no progress on stderr

${BUILD_LIBVIRT_OPTIONS}`;

/** `build SOURCE --output FILE`: a disk image from a Dockerfile, an image or a rootfs tar, described by flags. */
export const build: Command = {
  name: 'build',
  flags: {
    ...ROOTFS_SOURCE_FLAGS,
    'output': 'value',
    'format': 'value',
    'compress': 'value',
    'size': 'value',
    'partition-table': 'value',
    'boot-size': 'value',
    'root-fs': 'value',
    'kernel-arg': 'repeatable',
    'firmware': 'value',
    'cache-dir': 'value',
    'json': 'switch',
    'quiet': 'switch',
    ...BUILD_LIBVIRT_FLAGS,
  },
  synopsis: 'SOURCE --output FILE [options]',
  options: OPTIONS,
  examples: [
    '--dockerfile examples/hello-vm/Dockerfile --output hello.qcow2',
    '--image debian-with-kernel:1 --output vm.vmdk --size 4G --partition-table gpt',
    '--tar rootfs.tar --output upload.img.gz',
    '--dockerfile Dockerfile --firmware uefi --partition-table gpt --output uefi.qcow2',
    '--dockerfile Dockerfile --output vm.qcow2 --libvirt-xml vm.xml --libvirt-memory 2048',
  ],
  run: async (args, context) => {
    if (args.positional.length) throw new SpecError(`unexpected argument ${args.positional[0]}; see cdktf-docker-vm --help`);
    const { spec, output } = buildSpecFromArgs(args, process.cwd());
    checkBuildInputs(rootfsOf(spec).source, output);
    checkOutputWritable(output);
    const libvirt = libvirtOutputOfBuild(args, spec, output, process.cwd(), context.tools);
    const cache = openCache(one(args, 'cache-dir'));
    const code = await runSpec({ spec, baseDir: process.cwd(), output, cache, json: args.flags.has('json') }, context);
    if (libvirt && code === 0) {
      for (const file of await writeLibvirtOutput(libvirt, context.tools)) context.progress.step('libvirt', `wrote ${file}`);
      context.progress.step('libvirt', `define and start it with: virsh define ${libvirt.xmlFile} && virsh start ${libvirt.name}`);
    }
    return code;
  },
};
