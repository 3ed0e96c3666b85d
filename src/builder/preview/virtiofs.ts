import { planPreviewQemu, PreviewQemuInput } from './qemu-args';
import { ToolCall } from '../common/tools';

/** The tag the guest mounts as its root: `root=rootfs rootfstype=virtiofs`. */
export const VIRTIOFS_TAG = 'rootfs';
/** QEMU 7.2's C virtiofsd as Debian 12 ships it (no `virtiofsd` package in bookworm). */
export const C_VIRTIOFSD = '/usr/lib/qemu/virtiofsd';

export interface VirtiofsdInput {
  readonly exe: string;
  /** The exported rootfs directory. */
  readonly source: string;
  /** vhost-user socket QEMU connects to. */
  readonly socket: string;
  /**
   * Root runs the default namespace sandbox. Anyone else runs inside
   * `unshare -rm` with a private /run (the C virtiofsd locks its socket under
   * /var/run/virtiofsd) and the chroot sandbox; the guest then sees every
   * file as owned by root and chown fails, so such a guest is for reading.
   * Only for a Rust virtiofsd: the C one fails there (see requireUsableVirtiofsd).
   */
  readonly root: boolean;
}

/** virtiofsd command line; the daemon exits when QEMU disconnects. */
export function planVirtiofsd(input: VirtiofsdInput): ToolCall {
  const daemon = [
    `--socket-path=${input.socket}`,
    '-o', `source=${input.source}`,
    '-o', 'cache=auto',
    '-o', 'xattr',
    '-o', `sandbox=${input.root ? 'namespace' : 'chroot'}`,
  ];
  if (input.root) return { tool: input.exe, args: daemon };
  return {
    tool: 'unshare',
    args: ['-rm', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$0" "$@"', input.exe, ...daemon],
  };
}

export interface VirtiofsQemuInput extends Omit<PreviewQemuInput, 'overlay' | 'directKernel'> {
  readonly socket: string;
  readonly kernel: string;
  readonly initrd: string;
  /** Extra kernel arguments after the virtiofs root ones. */
  readonly extraAppend?: string;
}

/**
 * QEMU argv for booting the image's kernel and initrd with the rootfs from
 * virtiofsd: no disk; the config drive is then the only virtio disk (vda).
 * vhost-user needs guest RAM QEMU can share with virtiofsd: a memfd backend
 * with share=on, bound to the one NUMA node.
 */
export function planVirtiofsQemu(input: VirtiofsQemuInput): string[] {
  const args = planPreviewQemu({
    ...input,
    overlay: undefined,
    directKernel: { kernel: input.kernel, initrd: input.initrd, append: virtiofsAppend(input.extraAppend) },
  });
  args.push(
    '-object', `memory-backend-memfd,id=mem,size=${input.memoryMiB}M,share=on`,
    '-numa', 'node,memdev=mem',
    '-chardev', `socket,id=vfs,path=${input.socket.replace(/,/g, ',,')}`,
    '-device', `vhost-user-fs-pci,chardev=vfs,tag=${VIRTIOFS_TAG}`,
  );
  return args;
}

export function virtiofsAppend(extra?: string): string {
  return [`rootfstype=virtiofs root=${VIRTIOFS_TAG} rw console=ttyS0`, extra].filter(Boolean).join(' ');
}

/**
 * Whether an initramfs (its member names, as lsinitramfs or cpio -t prints
 * them) can mount a virtiofs root: virtiofs.ko, or a kernel with it built in
 * (then modules.builtin names it). Debian 12's MODULES=most leaves it out.
 */
export function initrdHasVirtiofs(members: readonly string[], builtin = ''): boolean {
  return members.some(m => /(^|\/)virtiofs\.ko(\.[a-z]+)?$/.test(m)) || /(^|\/)virtiofs\.ko$/m.test(builtin);
}
