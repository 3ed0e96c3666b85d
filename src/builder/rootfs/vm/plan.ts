import { RootfsFile, appServiceFiles, skipReason } from './app-service';
import { componentFiles } from './component-files';
import { Component, DetectedComponents, InitSystem } from './components';
import { DistroFamily, describeDistro, distroFamily } from './distro';
import { recipeFor } from './recipes';
import { DIGITALOCEAN_COMPONENTS } from '../../clouds/digitalocean/facts';
import { cloudInitConfig, sshHostKeyDropIn, sshdConfig } from '../../clouds/digitalocean/profile-files';
import { BuilderError, CannotInjectError, NoKernelError } from '../../common/errors';
import { VmProfileName, VmSetupSpec } from '../../spec';
import type { ImageConfig } from '../image-config';

export const SETUP_SCRIPT = 'cdktf-docker-vm-setup.sh';

const REQUIRED: Readonly<Record<VmProfileName, readonly Component[]>> = {
  generic: ['kernel', 'init'],
  digitalocean: DIGITALOCEAN_COMPONENTS,
};

const WHAT: Readonly<Record<Component, string>> = {
  'kernel': 'a kernel (/boot/vmlinuz-*)',
  'init': 'an init system (/sbin/init: systemd or OpenRC)',
  'dhcp': 'DHCP networking (systemd-networkd, ifupdown + a DHCP client, NetworkManager or netplan)',
  'cloud-init': 'cloud-init (/usr/bin/cloud-init)',
  'sshd': 'an SSH server (/usr/sbin/sshd)',
};

export interface VmSetupInput {
  readonly spec: VmSetupSpec;
  readonly osRelease: Readonly<Record<string, string>>;
  readonly detected: DetectedComponents;
  /** The source image's config; absent for a tar source. */
  readonly imageConfig?: ImageConfig;
  /** How the user named the source, for messages. */
  readonly sourceName: string;
  /**
   * The image's name in the app service's description: no path outside the build
   * context (a synthesized spec's relative paths would leak into every VM).
   * @default sourceName
   */
  readonly imageName?: string;
}

export interface VmSetupPlan {
  readonly family?: DistroFamily;
  /** Parts installed by the derived build. */
  readonly install: readonly Component[];
  /** Files the derived build copies to / (the setup script among them). */
  readonly files: readonly RootfsFile[];
  /** One line per decision, for the progress log. */
  readonly notes: readonly string[];
  dockerfile(baseImage: string): string;
}

/**
 * Decides what the derived build (`FROM <user image>`) adds so the image boots as a VM.
 * Returns undefined when the image is fine as it is. No I/O.
 */
export function planVmSetup(input: VmSetupInput): VmSetupPlan | undefined {
  const { spec, detected } = input;
  const required = REQUIRED[spec.profile];
  const missing = required.filter(c => !detected.present.has(c));
  if (spec.inject === 'never') {
    if (missing.includes('kernel')) {
      throw new NoKernelError(
        `${input.sourceName} has no kernel (looked for /boot/vmlinuz-*, /vmlinuz, /lib/modules/*/vmlinuz) and injection is off; ` +
        'install one in the image (Debian: linux-image-amd64, Ubuntu: linux-image-virtual, Alpine: linux-virt, Fedora: kernel-core) or set inject to auto',
      );
    }
    return undefined;
  }
  const install = spec.inject === 'always' ? [...required] : missing;
  const family = distroFamily(input.osRelease);
  if (install.length > 0 && !family) {
    throw new CannotInjectError(
      `${input.sourceName} (${describeDistro(input.osRelease)}) lacks ${missing.map(c => WHAT[c]).join(', ') || 'nothing'}` +
      (spec.inject === 'always' ? ' (inject is always)' : '') +
      ', and cdktf-docker-vm can add them only to Debian, Ubuntu, Alpine, Fedora, CentOS Stream, RHEL, Rocky and AlmaLinux images; ' +
      'install them in the Dockerfile, or build FROM one of those distributions',
    );
  }
  const recipe = family ? recipeFor(family) : undefined;
  const init: InitSystem | undefined = detected.init ?? (install.includes('init') ? recipe?.init : undefined);
  const notes: string[] = [];
  const files: RootfsFile[] = [];
  const lines: string[] = [];

  if (install.length > 0 && recipe) {
    notes.push(`${describeDistro(input.osRelease)}: adding ${install.join(', ')} with ${recipe.packageManager}`);
    for (const c of install) files.push(...componentFiles(recipe.family, c));
    lines.push(...recipe.install(orderedUnique(install.flatMap(c => recipe.packages[c]))));
    for (const c of install) lines.push(...(recipe.enable[c] ?? []));
  }

  const app = appService(input, init);
  notes.push(app.note);
  files.push(...app.files);
  if (app.files.length > 0 && init) lines.push(enableService(init, 'container-app'));

  if (spec.profile === 'digitalocean') {
    notes.push('DigitalOcean profile: cloud-init data sources, keys-only sshd, locked root, no host keys, empty machine-id, build logs emptied');
    files.push(cloudInitConfig(), sshdConfig());
    const sshService = recipe?.sshService;
    if (init === 'systemd') files.push(sshHostKeyDropIn(sshService ?? 'sshd'));
    if (init) lines.push(sshService ? enableService(init, sshService) : `${enableService(init, 'sshd')} || ${enableService(init, 'ssh')}`);
    lines.push(...oneImageManyMachines());
  }

  if (lines.length === 0 && files.length === 0) return undefined;
  const script = [
    '#!/bin/sh',
    '# Generated by cdktf-docker-vm: adds what the image needs to boot as a VM. Runs once, in `docker build`.',
    'set -eu',
    ...lines,
    `rm -f /${SETUP_SCRIPT}`,
    '',
  ].join('\n');
  files.push({ path: SETUP_SCRIPT, content: script, mode: 0o755 });
  return {
    family,
    install,
    files,
    notes,
    dockerfile: baseImage => [
      '# Generated by cdktf-docker-vm: the image, plus what it needs to boot as a VM.',
      `FROM ${baseImage}`,
      'USER root',
      'COPY rootfs/ /',
      `RUN ["/bin/sh", "/${SETUP_SCRIPT}"]`,
      '',
    ].join('\n'),
  };
}

function appService(input: VmSetupInput, init: InitSystem | undefined): { files: RootfsFile[]; note: string } {
  if (!input.spec.appService) return { files: [], note: 'container command: not run at boot (turned off)' };
  if (!input.imageConfig) return { files: [], note: 'container command: none (a tar has no image config)' };
  const reason = skipReason(input.imageConfig);
  if (reason) return { files: [], note: `container command: not run at boot (${reason})` };
  if (!init) return { files: [], note: 'container command: not run at boot (no systemd or OpenRC to run it)' };
  const argv = [...input.imageConfig.entrypoint, ...input.imageConfig.cmd];
  return {
    files: appServiceFiles(input.imageConfig, init, input.imageName ?? input.sourceName),
    note: `container command: ${JSON.stringify(argv)} runs at boot as the ${init === 'systemd' ? 'systemd unit container-app.service' : 'OpenRC service container-app'}`,
  };
}

function enableService(init: InitSystem, name: string): string {
  return init === 'systemd' ? `systemctl enable ${name}.service` : `rc-update add ${name} default`;
}

/** What one image shared by many machines must not carry (DESIGN.md: known traps). */
function oneImageManyMachines(): string[] {
  return [
    // `*` rather than `!`: sshd without PAM (Alpine) refuses even key logins to a `!`-locked account.
    'sed -i -e \'s/^root:[^:]*:/root:*:/\' /etc/shadow',
    'rm -f /etc/ssh/ssh_host_*',
    ': > /etc/machine-id',
    'rm -f /var/lib/dbus/machine-id',
    'rm -rf /var/lib/cloud /var/log/cloud-init.log /var/log/cloud-init-output.log',
    'rm -f /etc/cloud/cloud-init.disabled /etc/netplan/50-cloud-init.yaml /etc/network/interfaces.d/50-cloud-init* ' +
      '/etc/cloud/cloud.cfg.d/*curtin* /etc/cloud/cloud.cfg.d/99-installer.cfg /etc/cloud/cloud.cfg.d/subiquity-disable-cloudinit-networking.cfg',
    'rm -f /root/.ssh/authorized_keys',
    // Last, after this script's own package installs: DigitalOcean's image check warns about build logs.
    'for f in /var/log/*.log; do if [ -f "$f" ]; then : > "$f"; fi; done',
    'for f in /var/log/*.[0-9] /var/log/*.[0-9].gz /var/log/*-????????; do if [ -f "$f" ]; then rm -f "$f"; fi; done',
  ];
}

function orderedUnique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** After the derived build: every part the profile needs must now be there. */
export function checkVmParts(profile: VmProfileName, detected: DetectedComponents, sourceName: string): void {
  const missing = REQUIRED[profile].filter(c => !detected.present.has(c));
  if (missing.length === 0) return;
  throw new BuilderError(
    `${sourceName} still lacks ${missing.map(c => WHAT[c]).join(', ')} after the VM layer was added; ` +
    'the distribution may name its packages differently: install them in the Dockerfile and set inject to never',
  );
}
