import { boot } from './boot';
import { build } from './build';
import { cacheCommand } from './cache';
import { check } from './check';
import { Command } from './command';
import { deleteImageObjectCommand } from './delete-image-object';
import { removeLibvirtXmlCommand, writeLibvirtXmlCommand } from './libvirt-domain';
import { libvirtXmlCommand } from './libvirt-xml';
import { preview } from './preview';
import { probeImageUrlCommand } from './probe-image-url';
import { removeArtifactCommand } from './remove-artifact';
import { run } from './run';
import { sealImageCommand } from './seal-image';
import { uploadImageCommand } from './upload-image';
import { waitReadyCommand } from './wait-ready';
import { SpecError } from '../common/errors';

/** Every command, in the order of --help. */
export const COMMANDS: readonly Command[] = [
  build, run, boot, check, preview, libvirtXmlCommand, waitReadyCommand, uploadImageCommand, sealImageCommand, deleteImageObjectCommand,
  probeImageUrlCommand, removeArtifactCommand, writeLibvirtXmlCommand, removeLibvirtXmlCommand, cacheCommand,
];

/** The flags that take no value in any command, so argv can be split before the command is known. */
export const SWITCHES: ReadonlySet<string> = new Set([
  'help', 'version', ...COMMANDS.flatMap(c => Object.keys(c.flags).filter(name => c.flags[name] === 'switch')),
]);

export function commandNamed(name: string): Command {
  const command = COMMANDS.find(c => c.name === name);
  if (command) return command;
  const names = COMMANDS.map(c => c.name);
  throw new SpecError(`unknown command ${name}; use ${names.slice(0, -1).join(', ')} or ${names.at(-1)} (see cdktf-docker-vm --help)`);
}
