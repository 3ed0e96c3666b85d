import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { initrdHasVirtiofs } from './virtiofs';
import { SpecError } from '../common/errors';
import { findTool, ToolRunner } from '../common/tools';

export interface VirtiofsBootFiles {
  readonly kernel: string;
  readonly initrd: string;
}

/** What an image needs so its initrd can mount a virtiofs root. */
export const VIRTIOFS_INITRD_FIX =
  'add `RUN echo virtiofs >> /etc/initramfs-tools/modules` before the kernel is installed (or run update-initramfs -u after it), ' +
  'or leave the kernel out of the image and let cdktf-docker-vm install it (--inject auto)';

/** The kernel and initrd the rootfs stage found (paths inside the tar), in the exported directory. */
export function virtiofsBootFiles(exported: string, meta: { kernel?: string | null; initrd?: string | null }): VirtiofsBootFiles {
  if (!meta.kernel) {
    throw new SpecError('the image has no kernel to boot with --virtiofs; install one in the Dockerfile (linux-image-amd64) or let cdktf-docker-vm add it (--inject auto)');
  }
  if (!meta.initrd) {
    throw new SpecError(`the image has a kernel (/${meta.kernel}) but no initrd; --virtiofs needs an initrd that loads virtiofs: ${VIRTIOFS_INITRD_FIX}`);
  }
  return { kernel: inside(exported, meta.kernel), initrd: inside(exported, meta.initrd) };
}

function inside(root: string, rel: string): string {
  const file = path.join(root, path.normalize(`/${rel}`));
  if (!existsSync(file)) throw new SpecError(`/${rel} is missing from the exported rootfs ${root}; remove that directory and run again`);
  return file;
}

/** `6.1.0-27-amd64` from `boot/vmlinuz-6.1.0-27-amd64` or `usr/lib/modules/6.1.0-27-amd64/vmlinuz`. */
export function kernelVersionOf(kernelPath: string): string | undefined {
  const m = /vmlinuz-([^/]+)$/.exec(kernelPath) ?? /modules\/([^/]+)\/vmlinuz$/.exec(kernelPath);
  return m?.[1];
}

/**
 * Fails before booting when the initrd cannot mount virtiofs (the guest would
 * only drop to an initramfs shell after minutes): lists it with lsinitramfs and
 * reads the kernel's modules.builtin.
 */
export async function requireVirtiofsInitrd(exported: string, files: VirtiofsBootFiles, kernelRel: string, tools: ToolRunner): Promise<void> {
  if (!findTool('lsinitramfs')) {
    throw new SpecError('--virtiofs checks the image\'s initrd with lsinitramfs; install it with: apt-get install initramfs-tools-core');
  }
  const listing = await tools.run({ tool: 'lsinitramfs', args: [files.initrd] }, { timeoutMs: 300_000 });
  const version = kernelVersionOf(kernelRel);
  let builtin = '';
  for (const dir of ['usr/lib/modules', 'lib/modules']) {
    const file = path.join(exported, dir, version ?? '-', 'modules.builtin');
    if (version && existsSync(file)) {
      builtin = readFileSync(file, 'utf8');
      break;
    }
  }
  if (!initrdHasVirtiofs(listing.stdout.split('\n'), builtin)) {
    throw new SpecError(`the image's initrd (/${path.relative(exported, files.initrd)}) has no virtiofs module, so it cannot mount a virtiofs root: ${VIRTIOFS_INITRD_FIX}; ` +
      'or boot a disk instead: cdktf-docker-vm build ... --output vm.qcow2, then preview vm.qcow2');
  }
}
