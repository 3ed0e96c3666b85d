/**
 * DigitalOcean's custom image rules, one pure function each, judged on the
 * facts read from an image. The ids are stable: tests, the table and the
 * convert stage's error use them.
 */
import { DATASOURCE_LIST, DIGITALOCEAN_MAX_IMAGE_GIB } from './facts';
import { effectiveDatasourceList, effectiveSshdOption, parseFstab, rootPasswordField } from '../../check/config-parsers';
import { CheckFacts, CheckOptions, DiskFacts, PartitionFacts, RootFiles, RuleResult } from '../../check/facts';
import { isExt } from '../../check/superblock';
import { isMarkedBootable } from '../../common/partition-table';
import { compressionsImportedBy, formatOfQemuName, formatsImportedBy, qemuFormatName } from '../../spec';

/** The limit in bytes, counted as the constructs count sizeGiB (<= 100 GiB). */
export const DO_MAX_VIRTUAL_BYTES = DIGITALOCEAN_MAX_IMAGE_GIB * 1024 ** 3;

/** qemu-img format names DigitalOcean imports. */
const DO_FORMATS = formatsImportedBy('digitalocean');
const DO_QEMU_FORMATS = DO_FORMATS.map(qemuFormatName);
const DO_COMPRESSIONS: readonly string[] = compressionsImportedBy('digitalocean');

export const GPT_BIOS_BOOT = '21686148-6449-6E6F-744E-656564454649';
export const GPT_ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

type Rule = (facts: CheckFacts, options: CheckOptions) => RuleResult;

const ok = (rule: string, detail: string): RuleResult => ({ rule, status: 'ok', detail });
const fail = (rule: string, detail: string): RuleResult => ({ rule, status: 'fail', detail });
const skip = (rule: string, detail: string): RuleResult => ({ rule, status: 'skip', detail });
const warn = (rule: string, detail: string): RuleResult => ({ rule, status: 'warn', detail });

/** The format's name in this tool (qemu-img calls vhd `vpc`). */
export function displayFormat(qemuFormat: string): string {
  return formatOfQemuName(qemuFormat) ?? qemuFormat;
}

function formatGiB(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return `${gib < 10 ? gib.toFixed(2) : gib.toFixed(1)} GiB`;
}

export const checkFormat: Rule = ({ image }) => {
  const id = 'format';
  if (image.format === undefined) return skip(id, `not read: the file is ${image.inner && image.inner !== 'none' ? `${image.compression} of ${image.inner}` : image.compression}`);
  const name = displayFormat(image.format);
  if (image.package) {
    return fail(id, `${image.package} (a tar package holding a ${name} disk) is not a format DigitalOcean imports (${DO_FORMATS.join(', ')}); ` +
      'build the image as qcow2 instead: cdktf-docker-vm build ... --output image.qcow2');
  }
  if (DO_QEMU_FORMATS.includes(image.format)) return ok(id, name);
  return fail(id, `${name} is not a format DigitalOcean imports (${DO_FORMATS.join(', ')}); convert it: qemu-img convert -O qcow2 IMAGE image.qcow2`);
};

export const checkCompression: Rule = ({ image }) => {
  const id = 'compression';
  const { compression, inner } = image;
  if (image.package) return skip(id, `not judged: the file is ${image.package === 'ova' ? 'an' : 'a'} ${image.package} package (a tar), which the format rule judges`);
  if (!DO_COMPRESSIONS.includes(compression)) {
    const what = compression === 'tar' || compression === 'zip' || compression === '7z' ? `a ${compression} archive` : `${compression}-compressed`;
    return fail(id, `the file is ${what}; DigitalOcean accepts an uncompressed, gzip or bzip2 image only: unpack it and compress the disk image itself with gzip`);
  }
  if (inner && inner !== 'none') {
    return fail(id, `the ${compression} stream holds ${inner === 'tar' ? 'a tar archive' : `${inner} data`}, not a disk image; compress the disk image itself: gzip -c disk.qcow2 > disk.qcow2.gz`);
  }
  return ok(id, compression);
};

export const checkSize: Rule = ({ image }) => {
  const id = 'size';
  if (image.virtualBytes === undefined) return skip(id, 'not read');
  if (image.virtualBytes <= DO_MAX_VIRTUAL_BYTES) return ok(id, `${formatGiB(image.virtualBytes)} (limit ${DIGITALOCEAN_MAX_IMAGE_GIB} GiB)`);
  return fail(id, `virtual disk size ${formatGiB(image.virtualBytes)} (${image.virtualBytes} bytes) is above DigitalOcean's ${DIGITALOCEAN_MAX_IMAGE_GIB} GiB limit; build a smaller disk (--size auto sizes it from the rootfs)`);
};

function notDisk(id: string, facts: CheckFacts): RuleResult | DiskFacts {
  return facts.disk ?? skip(id, 'not read: the image could not be opened as a disk');
}

export const checkPartitionTable: Rule = facts => {
  const id = 'partition-table';
  const disk = notDisk(id, facts);
  if ('rule' in disk) return disk;
  if (!disk.label) return fail(id, `no readable MBR or GPT partition table${disk.tableError ? ` (${disk.tableError})` : ''}; DigitalOcean needs a partitioned disk: build it with cdktf-docker-vm or partition it with sfdisk`);
  if (disk.partitions.length === 0) return fail(id, `the ${labelName(disk)} table has no partition; add the root partition`);
  return ok(id, `${labelName(disk)}, ${disk.partitions.length} partition${disk.partitions.length === 1 ? '' : 's'}`);
};

function labelName(disk: DiskFacts): string {
  return disk.label === 'gpt' ? 'GPT' : 'MBR';
}

export const checkBiosBoot: Rule = facts => {
  const id = 'bios-boot';
  const disk = notDisk(id, facts);
  if ('rule' in disk) return disk;
  const hasCode = disk.bootCode.some(b => b !== 0);
  if (!hasCode) {
    if (disk.bootloaders.efiLoaderOn.length) {
      return fail(id, `UEFI-only image (EFI/BOOT/BOOTX64.EFI on partition ${disk.bootloaders.efiLoaderOn[0]}, no BIOS boot code in the first 440 bytes): DigitalOcean boots BIOS only; install a BIOS bootloader (syslinux, or GRUB i386-pc)`);
    }
    return fail(id, 'no boot code in the first 440 bytes of the disk (MBR); DigitalOcean boots BIOS only: install a BIOS bootloader (syslinux mbr.bin, or GRUB i386-pc)');
  }
  const bootable = disk.partitions.filter(isBiosBootable);
  if (bootable.length === 0) {
    return fail(id, disk.label === 'gpt'
      ? 'no GPT partition has the LegacyBIOSBootable attribute and there is no BIOS boot partition; set it with: sfdisk --part-attrs DISK N LegacyBIOSBootable'
      : 'no MBR partition is marked active (bootable), so the boot code finds nothing to boot; set it with: sfdisk --activate DISK N');
  }
  const syslinux = disk.bootloaders.syslinuxOn.filter(n => bootable.some(p => p.number === n));
  if (syslinux.length) return ok(id, `syslinux: boot code in the MBR, ldlinux.sys on bootable partition ${syslinux[0]}`);
  if (disk.bootloaders.grubCore) return ok(id, 'GRUB: boot code in the MBR and its core image on the disk');
  return fail(id, `no BIOS bootloader on the bootable partition${bootable.length === 1 ? '' : 's'} ${bootable.map(p => p.number).join(', ')} (no ldlinux.sys of syslinux, no GRUB core image); install one (syslinux --install, or grub-install --target=i386-pc)`);
};

function isBiosBootable(p: PartitionFacts): boolean {
  return isMarkedBootable(p) || p.type === GPT_BIOS_BOOT;
}

export const checkRootExt4: Rule = facts => {
  const id = 'root-ext4';
  const disk = notDisk(id, facts);
  if ('rule' in disk) return disk;
  const root = disk.root;
  if (!root) return fail(id, 'no partition that could hold / (no ext or Linux partition); DigitalOcean needs an ext3 or ext4 root filesystem');
  if (root.fs.type === 'ext3' || root.fs.type === 'ext4') return ok(id, `partition ${root.number}: ${root.fs.type}, UUID ${root.fs.uuid}`);
  const found = root.fs.type === 'unknown' ? 'no recognisable filesystem' : root.fs.type;
  const fix = root.fs.type === 'xfs' ? 'build it again with --root-fs ext4 (the default)' : 'make it with mke2fs -t ext4';
  return fail(id, `the root partition ${root.number} holds ${found}; DigitalOcean needs ext3 or ext4 for /: ${fix}`);
};

function needFiles(id: string, facts: CheckFacts): RuleResult | RootFiles {
  const disk = facts.disk;
  if (!disk) return skip(id, 'not read: the image could not be opened as a disk');
  if (!disk.files) return skip(id, `not read: no ext root filesystem${disk.root && !isExt(disk.root.fs) ? ` (partition ${disk.root.number} holds ${disk.root.fs.type})` : ''}`);
  return disk.files;
}

export const checkFstab: Rule = facts => {
  const id = 'fstab';
  const files = needFiles(id, facts);
  if ('rule' in files) return files;
  if (files.fstab === undefined) return fail(id, '/etc/fstab is missing; add one that mounts / by UUID: UUID=<root uuid> / ext4 defaults 0 1');
  const entries = parseFstab(files.fstab);
  const root = entries.find(e => e.mountPoint === '/');
  if (!root) return fail(id, '/etc/fstab has no entry for /; add UUID=<root uuid> / ext4 defaults 0 1');
  const parts = facts.disk!.partitions;
  const problems: string[] = [];
  for (const e of entries) {
    const uuid = /^UUID=(.+)$/i.exec(e.device)?.[1].replace(/^"(.*)"$/, '$1');
    const partUuid = /^PARTUUID=(.+)$/i.exec(e.device)?.[1].replace(/^"(.*)"$/, '$1');
    if (uuid && !parts.some(p => p.fs.uuid?.toLowerCase() === uuid.toLowerCase())) problems.push(`${e.mountPoint} wants UUID=${uuid}, which no filesystem on this disk has`);
    if (partUuid && !parts.some(p => p.partUuid?.toLowerCase() === partUuid.toLowerCase())) problems.push(`${e.mountPoint} wants PARTUUID=${partUuid}, which no partition on this disk has`);
    if (/^\/dev\/[sh]d[a-z]/.test(e.device)) problems.push(`${e.mountPoint} names ${e.device}, but DigitalOcean's disk is virtio /dev/vda`);
  }
  if (problems.length) {
    const have = parts.filter(p => p.fs.uuid).map(p => `${p.number}: ${p.fs.uuid}`).join(', ');
    return fail(id, `${problems.join('; ')} (filesystems here: ${have || 'none'}); mount by the UUIDs of this disk`);
  }
  return ok(id, `/ from ${root.device}${entries.length > 1 ? `, ${entries.length - 1} more entr${entries.length === 2 ? 'y' : 'ies'}` : ''}`);
};

export const checkCloudInit: Rule = facts => {
  const id = 'cloud-init';
  const files = needFiles(id, facts);
  if ('rule' in files) return files;
  if (!files.cloudInitBinary) return fail(id, 'cloud-init is not installed (no /usr/bin/cloud-init); DigitalOcean sets up networking, SSH keys and user data through it: apt-get install cloud-init');
  const { list, from } = effectiveDatasourceList(files.cloudCfg, files.cloudCfgDropIns);
  const fix = `write /etc/cloud/cloud.cfg.d/99-digitalocean.cfg with: datasource_list: [ ${DATASOURCE_LIST.join(', ')} ]`;
  if (!list) return fail(id, `no datasource_list is set, and cloud-init's default tries NoCloud before ConfigDrive; ${fix}`);
  const configDrive = list.indexOf('ConfigDrive');
  const noCloud = list.indexOf('NoCloud');
  if (configDrive < 0) return fail(id, `datasource_list [${list.join(', ')}] (from ${from}) lacks ConfigDrive, which DigitalOcean uses; ${fix}`);
  if (noCloud >= 0 && noCloud < configDrive) return fail(id, `datasource_list [${list.join(', ')}] (from ${from}) puts NoCloud before ConfigDrive, which breaks networking on DigitalOcean; ${fix}`);
  return ok(id, `datasource_list [${list.join(', ')}] from ${from}`);
};

export const checkSshdEnabled: Rule = facts => {
  const id = 'sshd-enabled';
  const files = needFiles(id, facts);
  if ('rule' in files) return files;
  if (!files.sshdBinary) return fail(id, 'no sshd (/usr/sbin/sshd): a Droplet is reached over SSH; install openssh-server');
  if (!files.sshdEnabledBy.length) return fail(id, 'sshd is installed but not enabled at boot (no ssh.service/sshd.service in multi-user.target.wants, no ssh.socket, no OpenRC default runlevel link); enable it: systemctl enable ssh (or rc-update add sshd default)');
  return ok(id, `enabled by ${files.sshdEnabledBy[0]}`);
};

export const checkNoHostKeys: Rule = facts => {
  const id = 'no-host-keys';
  const files = needFiles(id, facts);
  if ('rule' in files) return files;
  if (files.hostKeys.length) return fail(id, `SSH host keys are baked into the image (${files.hostKeys.join(', ')}): every Droplet would share them; delete /etc/ssh/ssh_host_* (they are made at first boot)`);
  return ok(id, 'no /etc/ssh/ssh_host_* files');
};

export const checkRootPasswordLocked: Rule = facts => {
  const id = 'root-password-locked';
  const files = needFiles(id, facts);
  if ('rule' in files) return files;
  if (files.shadow === undefined) return fail(id, '/etc/shadow is missing, so the root password cannot be shown locked; add a shadow file with root:!:...');
  const field = rootPasswordField(files.shadow);
  if (field === undefined) return fail(id, '/etc/shadow has no root line; add root:!:... to lock the root password');
  if (field.startsWith('!') || field.startsWith('*')) return ok(id, `root password locked (${field.slice(0, 1)})`);
  if (field === '') return fail(id, 'root has an empty password field in /etc/shadow: passwordless root login; lock it: passwd -l root (or usermod -p ! root)');
  // Only the hash's algorithm tag is shown: the hash itself stays out of logs.
  const algo = /^\$[^$]+\$/.exec(field)?.[0] ?? 'a password hash';
  return fail(id, `root has a password (${algo}... in /etc/shadow) baked into the image; lock it: passwd -l root (DigitalOcean logs in with SSH keys)`);
};

export const checkPasswordAuthOff: Rule = facts => {
  const id = 'password-auth-off';
  const files = needFiles(id, facts);
  if ('rule' in files) return files;
  const fix = 'write /etc/ssh/sshd_config.d/10-no-passwords.conf with: PasswordAuthentication no';
  if (!files.sshdConfigs.has('/etc/ssh/sshd_config')) return fail(id, `/etc/ssh/sshd_config is missing; install openssh-server and ${fix}`);
  const { value, from } = effectiveSshdOption(files.sshdConfigs, 'PasswordAuthentication');
  if (value === undefined) return fail(id, `PasswordAuthentication is not set, and sshd's default is yes; ${fix}`);
  if (value.toLowerCase() === 'no') return ok(id, `PasswordAuthentication no (${from})`);
  return fail(id, `PasswordAuthentication ${value} (${from}, the first setting sshd reads wins); ${fix} (it is read first when sshd_config includes sshd_config.d/*.conf at its top)`);
};

export const checkNoAuthorizedKeys: Rule = (facts, options) => {
  const id = 'no-authorized-keys';
  const files = needFiles(id, facts);
  if ('rule' in files) return files;
  if (!files.authorizedKeys.length) return ok(id, 'none in /root or /home');
  if (options.allowAuthorizedKeys) return ok(id, `allowed by --allow-authorized-keys: ${files.authorizedKeys.join(', ')}`);
  return fail(id, `${files.authorizedKeys.join(', ')} baked into the image: DigitalOcean installs the Droplet's SSH keys at first boot; delete the file, or pass --allow-authorized-keys if the key is meant to be there`);
};

/** A warning, not a failure: DigitalOcean imports the image, its Marketplace check (99-img-check.sh) warns. */
export const checkLogsCleared: Rule = facts => {
  const id = 'logs-cleared';
  const files = needFiles(id, facts);
  if ('rule' in files) return files;
  if (!files.uncleanLogs.length) return ok(id, 'no /var/log/*.log above 50 bytes, no rotated logs');
  const shown = files.uncleanLogs.slice(0, 4).join(', ') + (files.uncleanLogs.length > 4 ? ` and ${files.uncleanLogs.length - 4} more` : '');
  return warn(id, `the build left logs in the image (${shown}), which every Droplet starts with and DigitalOcean's image check flags; ` +
    'empty them at the end of the Dockerfile (for f in /var/log/*.log; do : > "$f"; done), or build with the DigitalOcean VM profile, which does');
};

/** Every rule, in the order the table shows them. */
export const RULES: ReadonlyArray<{ readonly id: string; readonly check: Rule }> = [
  { id: 'format', check: checkFormat },
  { id: 'compression', check: checkCompression },
  { id: 'size', check: checkSize },
  { id: 'partition-table', check: checkPartitionTable },
  { id: 'bios-boot', check: checkBiosBoot },
  { id: 'root-ext4', check: checkRootExt4 },
  { id: 'fstab', check: checkFstab },
  { id: 'cloud-init', check: checkCloudInit },
  { id: 'sshd-enabled', check: checkSshdEnabled },
  { id: 'no-host-keys', check: checkNoHostKeys },
  { id: 'root-password-locked', check: checkRootPasswordLocked },
  { id: 'password-auth-off', check: checkPasswordAuthOff },
  { id: 'no-authorized-keys', check: checkNoAuthorizedKeys },
  { id: 'logs-cleared', check: checkLogsCleared },
];

export function judge(facts: CheckFacts, options: CheckOptions = {}): RuleResult[] {
  return RULES.map(r => r.check(facts, options));
}
