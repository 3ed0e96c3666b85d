/**
 * Reads the facts the rules need from a raw disk file, without mounting:
 * the partition table (sfdisk --json), the MBR boot code, each partition's
 * filesystem (superblock), the bootloader files (mdir on FAT, debugfs on ext)
 * and the root filesystem's configuration files (debugfs).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parseFstab } from './config-parsers';
import { DirEntry, ExtReader } from './ext-reader';
import { BootloaderFacts, DiskFacts, PartitionFacts, RootFiles } from './facts';
import { FS_PROBE_BYTES, identifyFs, isExt } from './superblock';
import { GPT_BIOS_BOOT, GPT_ESP } from '../clouds/digitalocean/rules';
import { ToolFailedError } from '../common/errors';
import { PartitionTable, parsePartitionTable } from '../common/partition-table';
import { ToolRunner } from '../common/tools';

const LINUX_TYPES = ['83', '0FC63DAF-8483-4772-8E79-3D69D8477DE4', '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709'];
const EXTLINUX_PATHS = ['/boot/extlinux/ldlinux.sys', '/boot/syslinux/ldlinux.sys', '/extlinux/ldlinux.sys', '/syslinux/ldlinux.sys', '/ldlinux.sys'];

export async function inspectDisk(raw: string, tools: ToolRunner): Promise<DiskFacts> {
  const bootCode = readAt(raw, 0, 440);
  const table = await readPartitionTable(raw, tools);
  if (!table.label) return { ...table, partitions: [], bootCode, bootloaders: { syslinuxOn: [], grubCore: false, efiLoaderOn: [] } };
  const partitions = table.partitions.map(p => ({ ...p, fs: identifyFs(readAt(raw, p.startBytes, Math.min(FS_PROBE_BYTES, p.sizeBytes))) }));
  const bootloaders = await findBootloaders(raw, table.label, partitions, bootCode, tools);
  const { root, fstab } = await findRoot(raw, partitions, tools);
  const files = root && isExt(root.fs) ? await readRootFiles(new ExtReader(raw, root.startBytes, tools), fstab) : undefined;
  return { label: table.label, partitions, bootCode, bootloaders, root, files };
}

async function readPartitionTable(raw: string, tools: ToolRunner): Promise<PartitionTable> {
  let stdout: string;
  try {
    stdout = (await tools.run({ tool: 'sfdisk', args: ['--json', raw] })).stdout;
  } catch (e) {
    if (!(e instanceof ToolFailedError)) throw e;
    return { tableError: e.stderrTail.replace(/^.*?: /, '').trim() || 'sfdisk found none', partitions: [] };
  }
  return parsePartitionTable(stdout);
}

async function findBootloaders(raw: string, label: 'dos' | 'gpt', partitions: PartitionFacts[], bootCode: Buffer, tools: ToolRunner): Promise<BootloaderFacts> {
  const syslinuxOn: number[] = [];
  const efiLoaderOn: number[] = [];
  for (const p of partitions) {
    if (p.fs.type === 'vfat') {
      const names = await listFat(raw, p.startBytes, tools);
      if (names.some(n => /(^|\/)ldlinux\.sys$/i.test(n))) syslinuxOn.push(p.number);
      if (names.some(n => /^::\/efi\/boot\/bootx64\.efi$/i.test(n))) efiLoaderOn.push(p.number);
    } else if (isExt(p.fs) && p.active) {
      const reader = new ExtReader(raw, p.startBytes, tools);
      for (const file of EXTLINUX_PATHS) {
        if (await reader.exists(file)) {
          syslinuxOn.push(p.number);
          break;
        }
      }
    }
  }
  let grubCore = false;
  if (bootCode.includes('GRUB')) {
    // boot.img loads the first sector of core.img: the sector after the MBR, or the BIOS boot partition on GPT.
    const biosBoot = partitions.find(p => p.type === GPT_BIOS_BOOT);
    const coreAt = label === 'gpt' ? biosBoot?.startBytes : 512;
    grubCore = coreAt !== undefined && readAt(raw, coreAt, 512).some(b => b !== 0);
  }
  return { syslinuxOn, grubCore, efiLoaderOn };
}

async function listFat(raw: string, offset: number, tools: ToolRunner): Promise<string[]> {
  try {
    const { stdout } = await tools.run({ tool: 'mdir', args: ['-/', '-a', '-b', '-i', `${raw}@@${offset}`, '::/'] }, { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    return stdout.split('\n').map(l => l.trim()).filter(Boolean);
  } catch (e) {
    if (e instanceof ToolFailedError) return [];
    throw e;
  }
}

/** The partition whose /etc/fstab mounts it as / (by UUID), else the largest ext partition, else the largest Linux one. */
async function findRoot(raw: string, partitions: PartitionFacts[], tools: ToolRunner): Promise<{ root?: PartitionFacts; fstab?: string }> {
  const bySize = [...partitions].sort((a, b) => b.sizeBytes - a.sizeBytes);
  const ext = bySize.filter(p => isExt(p.fs));
  let fallback: { root?: PartitionFacts; fstab?: string } | undefined;
  for (const p of ext) {
    const fstab = await new ExtReader(raw, p.startBytes, tools).read('/etc/fstab');
    const rootEntry = fstab === undefined ? undefined : parseFstab(fstab).find(e => e.mountPoint === '/');
    if (rootEntry && rootEntry.device.toLowerCase() === `uuid=${p.fs.uuid}`) return { root: p, fstab };
    fallback ??= { root: p, fstab };
  }
  if (fallback) return fallback;
  const linux = bySize.find(p => LINUX_TYPES.includes(p.type)) ?? bySize.find(p => p.type !== GPT_ESP && p.type !== 'ef' && p.type !== GPT_BIOS_BOOT);
  return { root: linux };
}

async function readRootFiles(fs: ExtReader, fstab: string | undefined): Promise<RootFiles> {
  const names = async (dir: string) => (await fs.list(dir))?.map(e => e.name) ?? [];
  const firstExisting = async (files: string[]) => {
    for (const f of files) if (await fs.exists(f)) return true;
    return false;
  };
  // One debugfs at a time: each takes a few ms, and the runner's abort signal keeps one listener per running tool.
  const cloudInitBinary = await firstExisting(['/usr/bin/cloud-init', '/usr/local/bin/cloud-init']);
  const cloudCfg = await fs.read('/etc/cloud/cloud.cfg');
  const cloudCfgDropIns: Array<{ name: string; text: string }> = [];
  for (const name of (await names('/etc/cloud/cloud.cfg.d')).filter(n => n.endsWith('.cfg'))) {
    cloudCfgDropIns.push({ name, text: (await fs.read(`/etc/cloud/cloud.cfg.d/${name}`)) ?? '' });
  }
  const multiUser = await names('/etc/systemd/system/multi-user.target.wants');
  const sockets = await names('/etc/systemd/system/sockets.target.wants');
  const runlevel = await names('/etc/runlevels/default');
  const sshdBinary = await firstExisting(['/usr/sbin/sshd', '/sbin/sshd']);
  const etcSsh = await names('/etc/ssh');
  const shadow = await fs.read('/etc/shadow');
  const sshdEnabledBy = [
    ...multiUser.filter(n => n === 'ssh.service' || n === 'sshd.service').map(n => `/etc/systemd/system/multi-user.target.wants/${n}`),
    ...sockets.filter(n => n === 'ssh.socket' || n === 'sshd.socket').map(n => `/etc/systemd/system/sockets.target.wants/${n}`),
    ...runlevel.filter(n => n === 'sshd').map(n => `/etc/runlevels/default/${n}`),
  ];
  const sshdConfigs = new Map<string, string>();
  const configPaths = [
    ...(etcSsh.includes('sshd_config') ? ['/etc/ssh/sshd_config'] : []),
    ...(await names('/etc/ssh/sshd_config.d')).map(n => `/etc/ssh/sshd_config.d/${n}`),
  ];
  for (const p of configPaths) {
    const text = await fs.read(p);
    if (text !== undefined) sshdConfigs.set(p, text);
  }
  const homes = ((await fs.list('/home')) ?? []).filter(h => h.kind === 'dir').map(h => `/home/${h.name}/.ssh`);
  const authorizedKeys: string[] = [];
  for (const dir of ['/root/.ssh', ...homes]) {
    for (const n of await names(dir)) if (n === 'authorized_keys' || n === 'authorized_keys2') authorizedKeys.push(`${dir}/${n}`);
  }
  const uncleanLogs = ((await fs.list('/var/log')) ?? []).filter(isUncleanLog).map(e => `/var/log/${e.name}`);
  return {
    fstab,
    cloudInitBinary,
    cloudCfg,
    cloudCfgDropIns,
    sshdEnabledBy,
    sshdBinary,
    hostKeys: etcSsh.filter(n => /^ssh_host_.*_key(\.pub)?$/.test(n)).map(n => `/etc/ssh/${n}`),
    shadow,
    sshdConfigs,
    authorizedKeys,
    uncleanLogs,
  };
}

/** As DigitalOcean's Marketplace image check (99-img-check.sh) judges /var/log: *.log above 50 bytes, and rotated archives. */
export function isUncleanLog(entry: DirEntry): boolean {
  if (entry.kind !== 'file') return false;
  const archive = /\.\d$/.test(entry.name) || /-.{8}$/.test(entry.name);
  return archive || (entry.name.endsWith('.log') && entry.sizeBytes > MAX_CLEARED_LOG_BYTES);
}

const MAX_CLEARED_LOG_BYTES = 50;

function readAt(file: string, position: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, position));
  } finally {
    closeSync(fd);
  }
}
