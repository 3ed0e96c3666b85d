/**
 * The LibvirtDomain construct's terraform_data commands: `write-libvirt-xml`
 * writes the domain XML for the image the ImageArtifact stage copied into the
 * stack directory, `remove-libvirt-xml` removes it again on destroy. Their
 * input is the resource's own `input` (env-input.ts), relative to the working
 * directory (the stack's synth directory). With a public key, a config drive
 * (`libvirt-<name>-config-2.iso`) is written next to the XML and removed with it.
 */
import { lstatSync, realpathSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Command } from './command';
import { INPUT_VARIABLE, readEnvInput, wholeNumber } from './env-input';
import { SpecError } from '../common/errors';
import { requireFile } from '../input-checks';
import { LIBVIRT_DOMAIN_TYPES, domainXml } from '../libvirt/domain-xml';
import { configDrivePath, writeLibvirtOutput } from '../libvirt/output';
import { checkHostname, checkPublicKey } from '../preview/config-drive';
import { DISK_FORMATS, FIRMWARES } from '../spec';

/** Where the construct puts the XML: `docker-vm-artifacts/libvirt-<name>.xml` (constructs/image/libvirt-domain.ts). */
const XML_PATH = /^docker-vm-artifacts\/libvirt-[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.xml$/;

const inputSchema = z.looseObject({
  image: z.string().min(1),
  format: z.enum(DISK_FORMATS),
  firmware: z.enum(FIRMWARES),
  name: z.string().min(1),
  memory_mib: wholeNumber,
  cpus: wholeNumber,
  domain_type: z.enum(LIBVIRT_DOMAIN_TYPES),
  network: z.string().min(1),
  console_log: z.string().min(1).optional(),
  public_key: z.string().min(1).optional(),
  hostname: z.string().min(1).optional(),
  xml_path: z.string().regex(XML_PATH),
});

const INPUT_HELP = `  image, format, firmware    the ImageArtifact's file (relative to the working directory), format and firmware
  name, memory_mib, cpus, domain_type, network, console_log   the domain (see libvirt-xml)
  public_key, hostname       a config drive (ISO9660 config-2) with this OpenSSH public key and hostname (default: name),
                             written next to the XML as libvirt-<name>-config-2.iso and attached read-only as vdb
  xml_path                   where the XML goes: docker-vm-artifacts/libvirt-<name>.xml`;

/** `write-libvirt-xml`: a LibvirtDomain's create step. */
export const writeLibvirtXmlCommand: Command = {
  name: 'write-libvirt-xml',
  flags: { quiet: 'switch' },
  synopsis: '(its input is JSON in the environment variable CDKTF_DOCKER_VM_INPUT)',
  options: `Write-libvirt-xml input (${INPUT_VARIABLE}, set by the LibvirtDomain construct)
${INPUT_HELP}
`,
  examples: [],
  run: async (_args, { progress, tools }) => {
    const input = readEnvInput('write-libvirt-xml', inputSchema);
    const cwd = process.cwd();
    const image = path.resolve(cwd, input.image);
    requireFile(image, 'image', 'the ImageArtifact stage writes it first; run cdktf deploy (or terraform apply) again');
    const xmlFile = path.resolve(cwd, input.xml_path);
    const configDrive = configDriveOfInput(input.public_key, input.hostname ?? input.name);
    const configDriveFile = configDrive ? configDrivePath(xmlFile) : undefined;
    if (configDrive) tools.require(['genisoimage']);
    const xml = domainXml({
      name: input.name,
      image,
      format: input.format,
      firmware: input.firmware,
      memoryMiB: input.memory_mib,
      cpus: input.cpus,
      domainType: input.domain_type,
      network: input.network,
      consoleLog: input.console_log === undefined ? undefined : path.resolve(cwd, input.console_log),
      configDrive: configDriveFile,
    });
    await writeLibvirtOutput({ xmlFile, name: input.name, xml, configDrive, configDriveFile }, tools);
    if (configDriveFile) progress.step('libvirt', `wrote ${path.relative(cwd, configDriveFile)}`);
    progress.step('libvirt', `wrote ${input.xml_path}; define and start it with: virsh define ${xmlFile} && virsh start ${input.name}`);
    return 0;
  },
};

/** `remove-libvirt-xml`: a LibvirtDomain's destroy step; removes only a regular file at its xml_path, never through a symlink. */
export const removeLibvirtXmlCommand: Command = {
  name: 'remove-libvirt-xml',
  flags: { quiet: 'switch' },
  synopsis: '(its input is JSON in the environment variable CDKTF_DOCKER_VM_INPUT)',
  options: `Remove-libvirt-xml input (${INPUT_VARIABLE}, a LibvirtDomain's input): removes the XML at xml_path
  (docker-vm-artifacts/libvirt-<name>.xml); the domain stays defined in libvirt (virsh undefine NAME removes it).
`,
  examples: [],
  run: async (_args, { progress }) => {
    const input = readEnvInput('remove-libvirt-xml', z.looseObject({ xml_path: z.string(), public_key: z.string().optional() }));
    progress.step('libvirt', removeXml(process.cwd(), input.xml_path));
    if (input.public_key !== undefined) progress.step('libvirt', removeArtifact(process.cwd(), configDrivePath(input.xml_path)));
    return 0;
  },
};

function configDriveOfInput(publicKey: string | undefined, hostname: string) {
  if (publicKey === undefined) return undefined;
  const keyProblem = checkPublicKey(publicKey);
  if (keyProblem) throw new SpecError(`public_key ${keyProblem}`);
  const hostProblem = checkHostname(hostname);
  if (hostProblem) throw new SpecError(`hostname ${hostname} ${hostProblem}; set configDriveHostname on the LibvirtDomain`);
  return { publicKey, hostname };
}

export function removeXml(stackDir: string, xmlPath: string): string {
  if (!XML_PATH.test(xmlPath)) throw new SpecError(`xml_path ${xmlPath} is not a LibvirtDomain's XML (docker-vm-artifacts/libvirt-<name>.xml); synthesize the stack again`);
  return removeArtifact(stackDir, xmlPath);
}

/** Removes a regular file the command wrote (a checked path under the stack directory), never through a symlink. */
function removeArtifact(stackDir: string, relPath: string): string {
  const dir = path.join(stackDir, path.dirname(relPath));
  const target = path.join(stackDir, relPath);
  let st;
  try {
    st = lstatSync(target);
  } catch {
    return `${relPath} is already gone`;
  }
  if (!st.isFile()) return `kept ${relPath}: not a regular file`;
  if (realpathSync(dir) !== path.join(realpathSync(stackDir), path.dirname(relPath))) return `kept ${relPath}: ${path.dirname(relPath)} is a symlink`;
  rmSync(target, { force: true });
  return `removed ${relPath}`;
}
