import * as path from 'node:path';
import { Command } from './command';
import { formatFromName } from '../boot/qemu';
import { one } from '../cli-args';
import { SpecError } from '../common/errors';
import { choice, diskFormat } from '../flag-values';
import { requireDiskImage } from '../input-checks';
import { LIBVIRT_FLAG_NAMES, libvirtOptionsHelp, libvirtOutputFromArgs, writeLibvirtOutput } from '../libvirt/output';
import { FIRMWARES } from '../spec';

const OPTIONS = `Libvirt-xml options
  --output FILE.xml      where to write the domain XML (written atomically; required)
  --format F             image format (default: from the file name)
  --firmware FW          bios|uefi: what the image was built for (build --firmware) (default bios)
${libvirtOptionsHelp('')}`;

/** `libvirt-xml IMAGE --output FILE.xml`: a libvirt domain XML for an image built earlier. */
export const libvirtXmlCommand: Command = {
  name: 'libvirt-xml',
  flags: {
    output: 'value',
    format: 'value',
    firmware: 'value',
    ...Object.fromEntries(LIBVIRT_FLAG_NAMES.map(name => [name, 'value' as const])),
    quiet: 'switch',
  },
  synopsis: 'IMAGE --output FILE.xml [--firmware bios|uefi] [--domain-type kvm|qemu] [options]',
  options: OPTIONS,
  examples: [
    'vm.qcow2 --output vm.xml --memory 2048 --cpus 2',
    'uefi.qcow2 --firmware uefi --domain-type qemu --console-log /tmp/uefi-console.log --output uefi.xml',
  ],
  run: async (args, { io, progress, tools }) => {
    const image = args.positional[0];
    if (!image) throw new SpecError('libvirt-xml needs an IMAGE; example: cdktf-docker-vm libvirt-xml vm.qcow2 --output vm.xml');
    if (args.positional.length > 1) throw new SpecError(`unexpected argument ${args.positional[1]}; libvirt-xml takes one IMAGE`);
    const output = one(args, 'output');
    if (!output) throw new SpecError('--output FILE.xml is required: where to write the domain XML');
    requireDiskImage(image);
    const compressed = /\.(gz|bz2)$/i.exec(image);
    if (compressed) {
      const tool = compressed[1].toLowerCase() === 'gz' ? 'gunzip' : 'bunzip2';
      throw new SpecError(`image ${image} is compressed, and libvirt opens only uncompressed disks; decompress it first (${tool} -k ${image}) and pass the result`);
    }
    const out = libvirtOutputFromArgs(args, '', 'output', output, {
      image: path.resolve(image),
      format: diskFormat(one(args, 'format')) ?? formatFromName(image),
      compression: 'none',
      firmware: choice('firmware', one(args, 'firmware') ?? 'bios', FIRMWARES),
    }, process.cwd());
    if (out.configDrive) tools.require(['genisoimage']);
    for (const file of await writeLibvirtOutput(out, tools)) progress.step('libvirt', `wrote ${file}`);
    progress.step('libvirt', `define and start it with: virsh define ${out.xmlFile} && virsh start ${out.name}`);
    io.stdout.write(`${out.xmlFile}\n`);
    return 0;
  },
};
