/** `build --libvirt-xml FILE`: the domain XML written next to the image, from the build's own format and firmware. */
import { CommandArgs, FlagTable, one } from '../cli-args';
import { SpecError } from '../common/errors';
import { ToolRunner } from '../common/tools';
import { LIBVIRT_FLAG_NAMES, LibvirtOutput, libvirtOptionsHelp, libvirtOutputFromArgs } from '../libvirt/output';
import { StageSpec } from '../spec';

const PREFIX = 'libvirt-';

export const BUILD_LIBVIRT_FLAGS: FlagTable = {
  'libvirt-xml': 'value',
  ...Object.fromEntries(LIBVIRT_FLAG_NAMES.map(name => [`${PREFIX}${name}`, 'value' as const])),
};

export const BUILD_LIBVIRT_OPTIONS = `Libvirt output
  --libvirt-xml FILE     also write a libvirt domain XML for the image (after the image, atomically):
                         virtio disk and NIC, serial console, BIOS or UEFI as --firmware; the image must be
                         uncompressed; then: virsh define FILE && virsh start NAME
${libvirtOptionsHelp(PREFIX)}`;

/**
 * The checked libvirt output of a build, or undefined without --libvirt-xml;
 * a --libvirt-* flag without it is an error. Called before the build, so a bad
 * flag fails before any work.
 */
export function libvirtOutputOfBuild(args: CommandArgs, spec: StageSpec, output: string, cwd: string, tools: ToolRunner): LibvirtOutput | undefined {
  const xml = one(args, 'libvirt-xml');
  if (xml === undefined) {
    const stray = LIBVIRT_FLAG_NAMES.map(n => `${PREFIX}${n}`).find(f => args.flags.has(f));
    if (stray) throw new SpecError(`--${stray} needs --libvirt-xml FILE: it is an option of the libvirt domain XML; add --libvirt-xml vm.xml or leave --${stray} out`);
    return undefined;
  }
  if (spec.stage !== 'convert') throw new SpecError('--libvirt-xml needs an image output (--output FILE)');
  const out = libvirtOutputFromArgs(args, PREFIX, 'libvirt-xml', xml, {
    image: output,
    format: spec.format,
    compression: spec.compression,
    firmware: spec.bootloader.firmware ?? 'bios',
  }, cwd);
  if (out.configDrive) tools.require(['genisoimage']);
  return out;
}
