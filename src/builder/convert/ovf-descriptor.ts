/**
 * The OVF 1.0 descriptor (DMTF DSP0243, envelope schema DSP8023) and the
 * manifest of an OVA, shaped as VMware's ovftool writes them so that ESXi,
 * Workstation and VirtualBox import it: one virtual system with an IDE
 * controller holding the streamOptimized VMDK, one E1000 NIC, and the CPUs
 * and memory below. Pure: no I/O, so tests compare strings.
 */
import { BuilderError } from '../common/errors';
import { escapeXml } from '../common/xml';

/** The VMDK format URI of a streamOptimized disk, as ovftool writes it. */
export const VMDK_STREAM_OPTIMIZED = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';

/** What the imported VM gets; both can be changed in the hypervisor after the import. */
export const OVA_CPUS = 2;
export const OVA_MEMORY_MIB = 1024;
/** The network the NIC asks for: ESXi's default port group; VirtualBox attaches it to NAT. */
export const OVA_NETWORK = 'VM Network';
/**
 * CIM_OperatingSystem.OsType 101, "Linux 2.6.x 64-Bit" (any 64-bit Linux; the
 * image's distribution is the Dockerfile's choice), and VMware's name for it.
 */
export const OVA_OS_TYPE = { id: 101, vmware: 'other26xLinux64Guest' } as const;
/** VMware virtual hardware version 10: ESXi 5.5, Workstation 10 and later. */
export const OVA_VIRTUAL_SYSTEM_TYPE = 'vmx-10';

export interface OvfInput {
  /** The virtual system's id and name (letters, digits, dot, dash, underscore). */
  readonly name: string;
  /** The disk's file name in the package. */
  readonly diskFile: string;
  /** Its size in bytes. */
  readonly diskFileBytes: number;
  /** The disk's virtual size in bytes. */
  readonly capacityBytes: number;
  /** UEFI images ask VMware for EFI firmware (vmw:Config firmware=efi); BIOS is every hypervisor's default. */
  readonly firmware: 'bios' | 'uefi';
  /** @default OVA_CPUS */
  readonly cpus?: number;
  /** @default OVA_MEMORY_MIB */
  readonly memoryMiB?: number;
}

/** The descriptor's text (UTF-8, LF line ends). */
export function ovfDescriptor(input: OvfInput): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(input.name)) throw bug(`OVF virtual system name ${JSON.stringify(input.name)}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(input.diskFile)) throw bug(`OVF disk file name ${JSON.stringify(input.diskFile)}`);
  for (const [what, n] of [['disk file size', input.diskFileBytes], ['disk capacity', input.capacityBytes]] as const) {
    if (!Number.isSafeInteger(n) || n <= 0) throw bug(`OVF ${what} ${n}`);
  }
  const cpus = input.cpus ?? OVA_CPUS;
  const memoryMiB = input.memoryMiB ?? OVA_MEMORY_MIB;
  const item = (fields: ReadonlyArray<readonly [string, string | number]>) => [
    '      <Item>',
    // RASD properties in the schema's (alphabetical) sequence order
    ...[...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `        <rasd:${k}>${escapeXml(String(v))}</rasd:${k}>`),
    '      </Item>',
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common"' +
      ' xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"' +
      ' xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"' +
      ' xmlns:vmw="http://www.vmware.com/schema/ovf"' +
      ' xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"' +
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ovf:version="1.0">',
    '  <References>',
    `    <File ovf:href="${input.diskFile}" ovf:id="file1" ovf:size="${input.diskFileBytes}"/>`,
    '  </References>',
    '  <DiskSection>',
    '    <Info>Virtual disk information</Info>',
    `    <Disk ovf:capacity="${input.capacityBytes}" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="${VMDK_STREAM_OPTIMIZED}"/>`,
    '  </DiskSection>',
    '  <NetworkSection>',
    '    <Info>The list of logical networks</Info>',
    `    <Network ovf:name="${OVA_NETWORK}">`,
    `      <Description>The ${OVA_NETWORK} network</Description>`,
    '    </Network>',
    '  </NetworkSection>',
    `  <VirtualSystem ovf:id="${input.name}">`,
    '    <Info>A virtual machine</Info>',
    `    <Name>${input.name}</Name>`,
    `    <OperatingSystemSection ovf:id="${OVA_OS_TYPE.id}" vmw:osType="${OVA_OS_TYPE.vmware}">`,
    '      <Info>The kind of installed guest operating system</Info>',
    '    </OperatingSystemSection>',
    '    <VirtualHardwareSection>',
    '      <Info>Virtual hardware requirements</Info>',
    '      <System>',
    '        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>',
    '        <vssd:InstanceID>0</vssd:InstanceID>',
    `        <vssd:VirtualSystemIdentifier>${input.name}</vssd:VirtualSystemIdentifier>`,
    `        <vssd:VirtualSystemType>${OVA_VIRTUAL_SYSTEM_TYPE}</vssd:VirtualSystemType>`,
    '      </System>',
    ...item([
      ['AllocationUnits', 'hertz * 10^6'], ['Description', 'Number of Virtual CPUs'], ['ElementName', `${cpus} virtual CPU(s)`],
      ['InstanceID', 1], ['ResourceType', 3], ['VirtualQuantity', cpus],
    ]),
    ...item([
      ['AllocationUnits', 'byte * 2^20'], ['Description', 'Memory Size'], ['ElementName', `${memoryMiB}MB of memory`],
      ['InstanceID', 2], ['ResourceType', 4], ['VirtualQuantity', memoryMiB],
    ]),
    ...item([['Address', 0], ['Description', 'IDE Controller'], ['ElementName', 'ideController0'], ['InstanceID', 3], ['ResourceType', 5]]),
    ...item([
      ['AddressOnParent', 0], ['ElementName', 'disk0'], ['HostResource', 'ovf:/disk/vmdisk1'], ['InstanceID', 4], ['Parent', 3], ['ResourceType', 17],
    ]),
    ...item([
      ['AddressOnParent', 7], ['AutomaticAllocation', 'true'], ['Connection', OVA_NETWORK], ['Description', `E1000 ethernet adapter on "${OVA_NETWORK}"`],
      ['ElementName', 'ethernet0'], ['InstanceID', 5], ['ResourceSubType', 'E1000'], ['ResourceType', 10],
    ]),
    ...(input.firmware === 'uefi' ? ['      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>'] : []),
    '    </VirtualHardwareSection>',
    '  </VirtualSystem>',
    '</Envelope>',
    '',
  ].join('\n');
}

/** The manifest: one `SHA256(name)= hex` line per file, in the order given (OVF 2.0's form, which ovftool and VirtualBox read). */
export function ovfManifest(files: ReadonlyArray<{ readonly name: string; readonly sha256: string }>): string {
  return files.map(f => {
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) throw bug(`sha256 ${JSON.stringify(f.sha256)} of ${f.name}`);
    return `SHA256(${f.name})= ${f.sha256}\n`;
  }).join('');
}

function bug(what: string): BuilderError {
  return new BuilderError(`${what} is not valid in an OVF descriptor; this is a bug, please report it`);
}
