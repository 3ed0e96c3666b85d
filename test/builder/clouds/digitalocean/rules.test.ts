import { CheckFacts, DiskFacts, PartitionFacts, RootFiles } from '../../../../src/builder/check/facts';
import { formatCheckTable } from '../../../../src/builder/check/run';
import { DO_MAX_VIRTUAL_BYTES, GPT_BIOS_BOOT, judge } from '../../../../src/builder/clouds/digitalocean/rules';

const ROOT_UUID = '39b87f46-fb18-40cc-954e-7715496ecf11';
const BOOT: PartitionFacts = { number: 1, startBytes: 1 << 20, sizeBytes: 128 << 20, type: 'e', active: true, attrs: [], partUuid: '406ec82b-01', fs: { type: 'vfat', uuid: 'EAC7-1A5B' } };
const ROOT: PartitionFacts = { number: 2, startBytes: 129 << 20, sizeBytes: 960 << 20, type: '83', active: false, attrs: [], partUuid: '406ec82b-02', fs: { type: 'ext4', uuid: ROOT_UUID } };

const GOOD_FILES: RootFiles = {
  fstab: `UUID=${ROOT_UUID} / ext4 defaults 0 1\nUUID=EAC7-1A5B /boot vfat defaults 0 2\n`,
  cloudInitBinary: true,
  cloudCfg: 'users: [default]\n',
  cloudCfgDropIns: [{ name: '99-digitalocean.cfg', text: 'datasource_list: [ ConfigDrive, DigitalOcean, NoCloud, None ]\n' }],
  sshdEnabledBy: ['/etc/systemd/system/multi-user.target.wants/ssh.service'],
  sshdBinary: true,
  hostKeys: [],
  shadow: 'root:!:20000:0:99999:7:::\n',
  sshdConfigs: new Map([['/etc/ssh/sshd_config', 'Include /etc/ssh/sshd_config.d/*.conf\n'], ['/etc/ssh/sshd_config.d/50.conf', 'PasswordAuthentication no\n']]),
  authorizedKeys: [],
  uncleanLogs: [],
};

const GOOD_DISK: DiskFacts = {
  label: 'dos',
  partitions: [BOOT, ROOT],
  bootCode: Buffer.alloc(440, 0x33),
  bootloaders: { syslinuxOn: [1], grubCore: false, efiLoaderOn: [] },
  root: ROOT,
  files: GOOD_FILES,
};

const GOOD: CheckFacts = { image: { compression: 'gzip', inner: 'none', format: 'qcow2', virtualBytes: 1141899264 }, disk: GOOD_DISK };

const withFiles = (files: Partial<RootFiles>): CheckFacts => ({ ...GOOD, disk: { ...GOOD_DISK, files: { ...GOOD_FILES, ...files } } });
const withDisk = (disk: Partial<DiskFacts>): CheckFacts => ({ ...GOOD, disk: { ...GOOD_DISK, ...disk } });

function failures(facts: CheckFacts, options = {}): Array<[string, string]> {
  return judge(facts, options).filter(r => r.status !== 'ok').map(r => [r.rule, r.detail]);
}

describe('judge', () => {
  test('passes every rule for a DigitalOcean-ready image', () => {
    const results = judge(GOOD);
    expect(results.map(r => r.rule)).toEqual(['format', 'compression', 'size', 'partition-table', 'bios-boot', 'root-ext4', 'fstab', 'cloud-init',
      'sshd-enabled', 'no-host-keys', 'root-password-locked', 'password-auth-off', 'no-authorized-keys', 'logs-cleared']);
    expect(results.filter(r => r.status !== 'ok')).toEqual([]);
  });

  test.each<[string, CheckFacts, string, RegExp]>([
    ['a vhd', { ...GOOD, image: { ...GOOD.image, format: 'vpc' } }, 'format', /^vhd is not a format DigitalOcean imports/],
    ['a tar inside gzip', { ...GOOD, image: { compression: 'gzip', inner: 'tar' } }, 'compression', /holds a tar archive, not a disk image/],
    ['more than 100 GiB', { ...GOOD, image: { ...GOOD.image, virtualBytes: DO_MAX_VIRTUAL_BYTES + 512 } }, 'size', /above DigitalOcean's 100 GiB limit/],
    ['no partition table', withDisk({ label: undefined, partitions: [], tableError: 'does not contain a recognized partition table', root: undefined, files: undefined }),
      'partition-table', /no readable MBR or GPT partition table \(does not contain a recognized partition table\)/],
    ['an empty table', withDisk({ partitions: [], root: undefined, files: undefined }), 'partition-table', /has no partition/],
    ['zeroed boot code', withDisk({ bootCode: Buffer.alloc(440) }), 'bios-boot', /no boot code in the first 440 bytes/],
    ['a UEFI-only disk', withDisk({ bootCode: Buffer.alloc(440), bootloaders: { syslinuxOn: [], grubCore: false, efiLoaderOn: [1] } }), 'bios-boot', /UEFI-only image .*DigitalOcean boots BIOS only/],
    ['no active partition', withDisk({ partitions: [{ ...BOOT, active: false }, ROOT] }), 'bios-boot', /no MBR partition is marked active.*sfdisk --activate/],
    ['no bootloader files', withDisk({ bootloaders: { syslinuxOn: [], grubCore: false, efiLoaderOn: [] } }), 'bios-boot', /no BIOS bootloader on the bootable partition 1/],
    ['a vfat root', withDisk({ root: { ...ROOT, fs: { type: 'vfat', uuid: 'AAAA-BBBB' } }, files: undefined }), 'root-ext4', /partition 2 holds vfat/],
    ['an ext2 root', withDisk({ root: { ...ROOT, fs: { type: 'ext2', uuid: ROOT_UUID } } }), 'root-ext4', /holds ext2; DigitalOcean needs ext3 or ext4/],
    ['a wrong fstab UUID', withFiles({ fstab: 'UUID=00000000-0000-0000-0000-000000000000 / ext4 defaults 0 1\n' }), 'fstab', /wants UUID=0{8}-.*which no filesystem on this disk has/],
    ['no / in fstab', withFiles({ fstab: 'UUID=EAC7-1A5B /boot vfat defaults 0 2\n' }), 'fstab', /no entry for \//],
    ['/dev/sda1 in fstab', withFiles({ fstab: '/dev/sda1 / ext4 defaults 0 1\n' }), 'fstab', /names \/dev\/sda1, but DigitalOcean's disk is virtio/],
    ['no cloud-init', withFiles({ cloudInitBinary: false }), 'cloud-init', /cloud-init is not installed/],
    ['no datasource_list', withFiles({ cloudCfgDropIns: [] }), 'cloud-init', /no datasource_list is set, and cloud-init's default tries NoCloud before ConfigDrive/],
    ['NoCloud first', withFiles({ cloudCfgDropIns: [{ name: '90.cfg', text: 'datasource_list: [ NoCloud, ConfigDrive ]\n' }] }), 'cloud-init', /puts NoCloud before ConfigDrive/],
    ['sshd not enabled', withFiles({ sshdEnabledBy: [] }), 'sshd-enabled', /not enabled at boot/],
    ['no sshd', withFiles({ sshdBinary: false }), 'sshd-enabled', /no sshd/],
    ['host keys', withFiles({ hostKeys: ['/etc/ssh/ssh_host_rsa_key'] }), 'no-host-keys', /\/etc\/ssh\/ssh_host_rsa_key/],
    ['an empty root password', withFiles({ shadow: 'root::1:0:99999:7:::\n' }), 'root-password-locked', /empty password field/],
    ['password auth on', withFiles({ sshdConfigs: new Map([['/etc/ssh/sshd_config', 'PasswordAuthentication yes\n']]) }), 'password-auth-off', /PasswordAuthentication yes \(\/etc\/ssh\/sshd_config/],
    ['password auth unset', withFiles({ sshdConfigs: new Map([['/etc/ssh/sshd_config', 'Port 22\n']]) }), 'password-auth-off', /not set, and sshd's default is yes/],
    ['an authorized_keys file', withFiles({ authorizedKeys: ['/home/app/.ssh/authorized_keys'] }), 'no-authorized-keys', /^\/home\/app\/.ssh\/authorized_keys baked into the image/],
  ])('fails for %s', (_name, facts, rule, detail) => {
    const failed = failures(facts);
    expect(failed.map(([r]) => r)).toContain(rule);
    expect(failed.find(([r]) => r === rule)![1]).toMatch(detail);
  });

  test('GIVEN build logs in the image WHEN judged THEN logs-cleared warns, names them and says how to empty them, and nothing fails', () => {
    const results = judge(withFiles({ uncleanLogs: ['/var/log/dpkg.log', '/var/log/alternatives.log', '/var/log/bootstrap.log'] }));
    const logs = results.find(r => r.rule === 'logs-cleared')!;
    expect(logs.status).toBe('warn');
    expect(logs.detail).toContain('/var/log/dpkg.log, /var/log/alternatives.log, /var/log/bootstrap.log');
    expect(logs.detail).toContain('DigitalOcean VM profile');
    expect(results.filter(r => r.status === 'fail')).toEqual([]);
  });

  test('fails "root-password-locked" for a hash without printing it', () => {
    // WHEN
    const failed = failures(withFiles({ shadow: 'root:$6$salt$SECRETHASH:20000:0:99999:7:::\n' }));
    // THEN
    expect(failed).toEqual([['root-password-locked', expect.stringMatching(/root has a password \(\$6\$\.\.\. in \/etc\/shadow\)/)]]);
    expect(JSON.stringify(failed)).not.toContain('SECRETHASH');
  });

  test('--allow-authorized-keys lets an authorized_keys file pass, naming it', () => {
    const results = judge(withFiles({ authorizedKeys: ['/root/.ssh/authorized_keys'] }), { allowAuthorizedKeys: true });
    expect(results.find(r => r.rule === 'no-authorized-keys')).toEqual({
      rule: 'no-authorized-keys', status: 'ok', detail: 'allowed by --allow-authorized-keys: /root/.ssh/authorized_keys',
    });
  });

  test('an xz file fails "compression" and skips the rules that need the disk', () => {
    // WHEN
    const results = judge({ image: { compression: 'xz' } });
    // THEN
    expect(results.filter(r => r.status === 'fail').map(r => r.rule)).toEqual(['compression']);
    expect(results.find(r => r.rule === 'compression')!.detail).toMatch(/the file is xz-compressed; DigitalOcean accepts an uncompressed, gzip or bzip2 image only/);
    expect(results.filter(r => r.status === 'skip').length).toBe(13);
  });

  test('GPT: a BIOS boot partition with a GRUB core image passes bios-boot', () => {
    // GIVEN
    const bios: PartitionFacts = { ...BOOT, type: GPT_BIOS_BOOT, active: false, fs: { type: 'unknown' } };
    const facts = withDisk({ label: 'gpt', partitions: [bios, ROOT], bootloaders: { syslinuxOn: [], grubCore: true, efiLoaderOn: [] } });
    // THEN
    expect(judge(facts).find(r => r.rule === 'bios-boot')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^GRUB/) });
  });

  test('a 100 GiB disk is within the limit', () => {
    expect(failures({ ...GOOD, image: { ...GOOD.image, virtualBytes: DO_MAX_VIRTUAL_BYTES } })).toEqual([]);
  });
});

describe('judge on a package', () => {
  test.each([
    ['ova', 'vmdk', 'an ova package'],
    ['vagrant-libvirt', 'qcow2', 'a vagrant-libvirt package'],
  ])('fails the format rule for %s (a %s disk inside) with the reason, and leaves compression to it', (pkg, format, what) => {
    // GIVEN the disk inside is DigitalOcean-ready
    const facts: CheckFacts = { ...GOOD, image: { compression: 'tar', inner: 'none', format, virtualBytes: 1141899264, package: pkg } };
    // WHEN
    const results = judge(facts);
    // THEN
    expect(failures(facts)).toEqual([
      ['format', `${pkg} (a tar package holding a ${format} disk) is not a format DigitalOcean imports (raw, qcow2, vmdk, vhdx, vdi); build the image as qcow2 instead: cdktf-docker-vm build ... --output image.qcow2`],
      ['compression', `not judged: the file is ${what} (a tar), which the format rule judges`],
    ]);
    expect(results.find(r => r.rule === 'compression')?.status).toBe('skip');
    expect(results.filter(r => r.status === 'ok').map(r => r.rule)).toContain('root-ext4');
  });
});

describe('formatCheckTable', () => {
  test('prints rule | result | detail, aligned, with FAIL in capitals', () => {
    const table = formatCheckTable([
      { rule: 'format', status: 'ok', detail: 'qcow2' },
      { rule: 'no-host-keys', status: 'fail', detail: 'keys' },
    ]);
    expect(table.split('\n')).toEqual([
      'rule          result  detail',
      '------------  ------  ------',
      'format        ok      qcow2',
      'no-host-keys  FAIL    keys',
    ]);
  });
});
