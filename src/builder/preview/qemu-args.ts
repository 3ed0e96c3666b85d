import { SpecError } from '../common/errors';

export interface PortForward {
  readonly hostPort: number;
  readonly guestPort: number;
}

/** Kernel, initrd and command line read out of the image, for -kernel/-initrd/-append. */
export interface DirectKernel {
  readonly kernel: string;
  readonly initrd?: string;
  readonly append: string;
}

export interface PreviewQemuInput {
  readonly accelerator: 'kvm' | 'tcg';
  /** qcow2 overlay backed by the image: the guest writes here, never to the image. Absent for a virtiofs root. */
  readonly overlay?: string;
  /** ISO9660 config drive labelled config-2. */
  readonly configDrive: string;
  readonly sshPort: number;
  readonly forwards: readonly PortForward[];
  readonly memoryMiB: number;
  readonly cpus: number;
  readonly directKernel?: DirectKernel;
}

/**
 * QEMU argv for a Droplet-like boot: SeaBIOS, the disk and the config drive
 * as virtio disks (vda, vdb), one virtio NIC on user-mode networking with
 * every forward bound to 127.0.0.1 only, the serial console on stdio.
 */
export function planPreviewQemu(input: PreviewQemuInput): string[] {
  const hostfwds = [{ hostPort: input.sshPort, guestPort: 22 }, ...input.forwards]
    .map(f => `,hostfwd=tcp:127.0.0.1:${f.hostPort}-:${f.guestPort}`).join('');
  const args = [
    '-machine', 'pc', '-accel', input.accelerator, '-m', String(input.memoryMiB), '-smp', String(input.cpus),
    // No default floppy, CD-ROM or VGA: blkid probing an empty floppy costs seconds at every boot.
    '-nodefaults', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
    ...(input.overlay ? ['-drive', `file=${qemuPath(input.overlay)},format=qcow2,if=virtio,cache=unsafe`] : []),
    '-drive', `file=${qemuPath(input.configDrive)},format=raw,if=virtio,readonly=on`,
    '-netdev', `user,id=n0${hostfwds}`,
    '-device', 'virtio-net-pci,netdev=n0',
    '-device', 'virtio-rng-pci',
  ];
  if (input.directKernel) {
    args.push('-kernel', input.directKernel.kernel);
    if (input.directKernel.initrd) args.push('-initrd', input.directKernel.initrd);
    args.push('-append', input.directKernel.append);
  }
  return args;
}

/** A comma ends a -drive option; QEMU reads ",," as a literal comma. */
function qemuPath(file: string): string {
  return file.replace(/,/g, ',,');
}

/** `HOSTPORT:GUESTPORT`, e.g. 8080:80. */
export function parseForward(value: string): PortForward {
  const m = /^(\d+):(\d+)$/.exec(value.trim());
  const hostPort = m ? Number(m[1]) : NaN;
  const guestPort = m ? Number(m[2]) : NaN;
  if (!m || !validPort(hostPort) || !validPort(guestPort)) {
    throw new SpecError(`--forward ${value} is not HOSTPORT:GUESTPORT with ports 1-65535; write it like --forward 8080:80`);
  }
  return { hostPort, guestPort };
}

export function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Kernel command line from syslinux.cfg's APPEND line (what the bootloader stage wrote). */
export function kernelCmdlineFromSyslinuxCfg(cfg: string): string | undefined {
  const m = /^\s*APPEND\s+(.+?)\s*$/im.exec(cfg);
  return m?.[1];
}
