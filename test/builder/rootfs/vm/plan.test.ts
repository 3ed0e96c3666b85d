import { CannotInjectError, NoKernelError } from '../../../../src/builder/common/errors';
import type { ImageConfig } from '../../../../src/builder/rootfs/image-config';
import { Component, DetectedComponents } from '../../../../src/builder/rootfs/vm/components';
import { SETUP_SCRIPT, VmSetupInput, checkVmParts, planVmSetup } from '../../../../src/builder/rootfs/vm/plan';
import { VmSetupSpec } from '../../../../src/builder/spec';

const APP: ImageConfig = { entrypoint: ['/usr/local/bin/app'], cmd: ['8080'], env: ['GREETING=hi'], workingDir: '/srv/app', user: 'app' };
const NONE: DetectedComponents = { present: new Set() };
const DO: VmSetupSpec = { inject: 'auto', profile: 'digitalocean', appService: true };
const GENERIC: VmSetupSpec = { inject: 'auto', profile: 'generic', appService: true };

const OS = {
  debian: { ID: 'debian', PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)' },
  ubuntu: { ID: 'ubuntu', ID_LIKE: 'debian', PRETTY_NAME: 'Ubuntu 24.04 LTS' },
  alpine: { ID: 'alpine', PRETTY_NAME: 'Alpine Linux v3.20' },
  rocky: { ID: 'rocky', ID_LIKE: 'rhel centos fedora', PRETTY_NAME: 'Rocky Linux 9.4' },
};

function plan(input: Partial<VmSetupInput>) {
  return planVmSetup({ spec: DO, osRelease: OS.debian, detected: NONE, imageConfig: APP, sourceName: 'image app:1', ...input });
}
const file = (p: ReturnType<typeof plan>, path: string) => p!.files.find(f => f.path === path)?.content;
const script = (p: ReturnType<typeof plan>) => file(p, SETUP_SCRIPT)!;
const present = (...c: Component[]): DetectedComponents => ({ present: new Set(c), init: c.includes('init') ? 'systemd' : undefined });

describe('planVmSetup recipes (DigitalOcean profile, nothing installed)', () => {
  test('Debian: apt installs every part; networkd, ssh and the app are enabled; the image is cleaned', () => {
    // GIVEN a Debian application image with no VM part
    // WHEN the setup is planned for DigitalOcean
    const p = plan({ osRelease: OS.debian });
    // THEN one apt-get install brings kernel, init, DHCP, cloud-init with growpart, and sshd
    const s = script(p);
    expect(p!.install).toEqual(['kernel', 'init', 'dhcp', 'cloud-init', 'sshd']);
    expect(s).toContain('apt-get install -y --no-install-recommends linux-image-amd64 systemd-sysv systemd-resolved cloud-init cloud-guest-utils fdisk gdisk e2fsprogs openssh-server');
    expect(s).toContain('systemctl enable systemd-networkd.service systemd-resolved.service');
    expect(s).toContain('systemctl enable container-app.service');
    expect(s).toContain('systemctl enable ssh.service');
    // AND the one-image-many-machines clean-up runs last
    expect(s).toMatch(/rm -f \/etc\/ssh\/ssh_host_\*\n: > \/etc\/machine-id/);
    // The build's logs are emptied after the script's own installs, so DigitalOcean's image check does not warn.
    expect(s.lastIndexOf('apt-get')).toBeLessThan(s.indexOf('for f in /var/log/*.log; do if [ -f "$f" ]; then : > "$f"; fi; done'));
    expect(s).toContain("sed -i -e 's/^root:[^:]*:/root:*:/' /etc/shadow");
    expect(s).toContain('rm -rf /var/lib/cloud');
    // AND the config files land where cloud-init, sshd and networkd read them
    expect(file(p, 'etc/cloud/cloud.cfg.d/90-cdktf-docker-vm.cfg')).toContain('datasource_list: [ ConfigDrive, DigitalOcean, NoCloud, None ]');
    expect(file(p, 'etc/ssh/sshd_config.d/90-cdktf-docker-vm.conf')).toContain('PasswordAuthentication no');
    expect(file(p, 'etc/ssh/sshd_config.d/90-cdktf-docker-vm.conf')).toContain('PermitRootLogin prohibit-password');
    expect(file(p, 'etc/systemd/system/ssh.service.d/10-cdktf-docker-vm-host-keys.conf')).toContain('ExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t');
    expect(file(p, 'etc/systemd/network/90-cdktf-docker-vm-dhcp.network')).toContain('DHCP=yes');
    expect(file(p, 'etc/systemd/system/container-app.service')).toContain('ExecStart="/usr/local/bin/app" "8080"');
  });

  test('Ubuntu: the virtual kernel flavour, otherwise the apt recipe', () => {
    const s = script(plan({ osRelease: OS.ubuntu }));
    expect(s).toContain('linux-image-virtual systemd-sysv');
    expect(s).not.toContain('linux-image-amd64');
    expect(s).toContain('systemctl enable ssh.service');
  });

  test('Alpine: apk, OpenRC runlevels, a serial getty, ifupdown DHCP, setup-cloud-init and an OpenRC app service', () => {
    // GIVEN an Alpine application image
    const p = plan({ osRelease: OS.alpine });
    const s = script(p);
    // THEN apk installs the virt kernel and OpenRC, and services go in runlevels
    expect(s).toContain('apk add --no-cache linux-virt openrc busybox-openrc busybox-mdev-openrc ifupdown-ng cloud-init cloud-utils-growpart e2fsprogs-extra sfdisk sgdisk openssh-server');
    expect(s).toContain('rc-update add networking boot');
    expect(s).toContain('setup-cloud-init');
    expect(s).toContain('rc-update add sshd default');
    expect(s).toContain('rc-update add container-app default');
    expect(s).toContain('ttyS0::respawn:/sbin/getty');
    // AND the initramfs gets virtio and ext4, the NIC gets DHCP, the app is an OpenRC service
    expect(file(p, 'etc/mkinitfs/mkinitfs.conf')).toMatch(/features=".*virtio.*"/);
    expect(file(p, 'etc/mkinitfs/mkinitfs.conf')).toMatch(/features=".*ext4.*"/);
    expect(file(p, 'etc/network/interfaces')).toContain('iface eth0 inet dhcp');
    expect(file(p, 'etc/init.d/container-app')).toContain('#!/sbin/openrc-run');
    expect(file(p, 'etc/systemd/system/container-app.service')).toBeUndefined();
    // AND no systemd drop-in on an OpenRC system
    expect(p!.files.some(f => f.path.includes('ssh.service.d') || f.path.includes('sshd.service.d'))).toBe(false);
  });

  test('Fedora family (Rocky): dnf, kernel-core with a generic initramfs, NetworkManager, sshd', () => {
    // GIVEN a Rocky Linux image
    const p = plan({ osRelease: OS.rocky });
    const s = script(p);
    // THEN dnf installs without weak deps and the initramfs is made host-independent
    expect(s).toContain('dnf install -y --setopt=install_weak_deps=False kernel-core dracut systemd NetworkManager cloud-init cloud-utils-growpart e2fsprogs util-linux gdisk openssh-server');
    expect(s).toContain('dracut --no-hostonly --force "/boot/initramfs-$kver.img" "$kver"');
    expect(s).toContain('systemctl enable NetworkManager.service');
    expect(s).toContain('systemctl enable sshd.service');
    expect(file(p, 'etc/dracut.conf.d/90-cdktf-docker-vm.conf')).toContain('hostonly="no"');
    expect(file(p, 'etc/systemd/system/sshd.service.d/10-cdktf-docker-vm-host-keys.conf')).toBeDefined();
  });

  test('the Dockerfile starts FROM the image, as root, and runs the generated script in exec form', () => {
    const p = plan({});
    expect(p!.dockerfile('sha256:abc')).toBe([
      '# Generated by cdktf-docker-vm: the image, plus what it needs to boot as a VM.',
      'FROM sha256:abc',
      'USER root',
      'COPY rootfs/ /',
      `RUN ["/bin/sh", "/${SETUP_SCRIPT}"]`,
      '',
    ].join('\n'));
  });

  test('no user string reaches the setup script (the app config goes into files only)', () => {
    // GIVEN an image config full of shell metacharacters
    const evil: ImageConfig = { entrypoint: ['/bin/app;rm -rf /'], cmd: ['$(reboot)'], env: ['X=`id`'], workingDir: '/a b', user: 'u;id' };
    const s = script(plan({ imageConfig: evil, sourceName: 'image x;reboot' }));
    // THEN none of it is in the script
    for (const bad of ['/bin/app', 'rm -rf /;', 'reboot', '`id`', 'u;id', '/a b']) expect(s).not.toContain(bad);
  });
});

describe('planVmSetup decisions', () => {
  test('auto installs only what is missing', () => {
    // GIVEN a Debian image with a kernel and systemd already
    const p = plan({ spec: DO, detected: present('kernel', 'init') });
    // THEN neither is installed again
    expect(p!.install).toEqual(['dhcp', 'cloud-init', 'sshd']);
    expect(script(p)).not.toContain('linux-image');
  });

  test('always installs every part the profile needs, even when present', () => {
    const p = plan({ spec: { ...DO, inject: 'always' }, detected: present('kernel', 'init', 'dhcp', 'cloud-init', 'sshd') });
    expect(p!.install).toEqual(['kernel', 'init', 'dhcp', 'cloud-init', 'sshd']);
  });

  test('generic profile: a bootable image with no command needs no derived build', () => {
    // GIVEN a Debian image with a kernel and systemd and no ENTRYPOINT/CMD
    const p = plan({ spec: GENERIC, detected: present('kernel', 'init'), imageConfig: { ...APP, entrypoint: [], cmd: [] } });
    // THEN the image is taken as it is
    expect(p).toBeUndefined();
  });

  test('generic profile: kernel and init are added, not cloud-init or sshd, and nothing is cleaned', () => {
    const p = plan({ spec: GENERIC });
    expect(p!.install).toEqual(['kernel', 'init']);
    expect(script(p)).not.toContain('cloud-init');
    expect(script(p)).not.toContain('/etc/machine-id');
  });

  test('appService false: no unit, and the note says it was turned off', () => {
    const p = plan({ spec: { ...DO, appService: false } });
    expect(file(p, 'etc/systemd/system/container-app.service')).toBeUndefined();
    expect(p!.notes).toContain('container command: not run at boot (turned off)');
  });

  test('never: no build; a missing kernel fails naming the image, the packages and the option', () => {
    // GIVEN injection off and no kernel
    // WHEN planned THEN NoKernelError says what to install and that inject auto would add it
    expect(() => plan({ spec: { ...DO, inject: 'never' } })).toThrow(NoKernelError);
    expect(() => plan({ spec: { ...DO, inject: 'never' } })).toThrow(/image app:1 has no kernel .*injection is off.*linux-image-amd64.*set inject to auto/);
    // AND with a kernel present nothing is planned
    expect(plan({ spec: { ...DO, inject: 'never' }, detected: present('kernel') })).toBeUndefined();
  });

  test('unknown distribution with parts missing: an error listing what is missing and the supported families', () => {
    // GIVEN an Arch Linux image with nothing
    const run = () => plan({ osRelease: { ID: 'arch', PRETTY_NAME: 'Arch Linux' } });
    // THEN CannotInjectError (exit 2) lists each missing part and what to do
    expect(run).toThrow(CannotInjectError);
    expect(run).toThrow(/image app:1 \(Arch Linux\) lacks a kernel \(\/boot\/vmlinuz-\*\), an init system .*cloud-init .*SSH server.*only to Debian, Ubuntu, Alpine, Fedora.*install them in the Dockerfile/);
    expect(new CannotInjectError('x').exitCode).toBe(2);
  });

  test('unknown distribution with every part present: only configuration, through the detected init', () => {
    // GIVEN an unknown distro that already has every part
    const p = plan({ osRelease: { ID: 'arch' }, detected: present('kernel', 'init', 'dhcp', 'cloud-init', 'sshd') });
    // THEN nothing is installed, and sshd is enabled under whichever name it has
    expect(p!.install).toEqual([]);
    expect(script(p)).toContain('systemctl enable sshd.service || systemctl enable ssh.service');
  });

  test('checkVmParts: a part still missing after the build is an error naming it', () => {
    expect(() => checkVmParts('digitalocean', present('kernel', 'init', 'dhcp', 'sshd'), 'image x')).toThrow(/image x still lacks cloud-init/);
    expect(() => checkVmParts('generic', present('kernel', 'init', 'dhcp'), 'image x')).not.toThrow();
  });
});
