import type { BootloaderProps } from './bootloader';
import { Firmware } from './firmware';
import { isToken, ValidationRule } from '../private/validate';

const badArgs = (p: BootloaderProps) => (p.extraKernelArgs ?? []).filter(a => !isToken(a) && (a === '' || /[\s\x00-\x1f\x7f]/.test(a)));
const rootArgs = (p: BootloaderProps) => (p.extraKernelArgs ?? []).filter(a => !isToken(a) && /^(root|rw|ro)(=|$)/.test(a));

export const BOOTLOADER_RULES: readonly ValidationRule<BootloaderProps>[] = [
  {
    fails: p => p.firmware !== undefined && !Object.values(Firmware).includes(p.firmware),
    message: p => `firmware must be Firmware.BIOS or Firmware.UEFI, got ${JSON.stringify(p.firmware)}; leave it unset for BIOS`,
  },
  {
    fails: p => isToken(p.extraKernelArgs) || (p.extraKernelArgs ?? []).some(a => isToken(a)),
    message: () => 'extraKernelArgs must be known at synth time, got a token; pass plain strings (they are part of the fingerprint)',
  },
  {
    fails: p => badArgs(p).length > 0,
    message: p => `extraKernelArgs must each be one non-empty word without spaces or control characters, got ${JSON.stringify(badArgs(p))}; pass one array element per kernel argument`,
  },
  {
    fails: p => rootArgs(p).length > 0,
    message: p => `extraKernelArgs must not set root, rw or ro, got ${JSON.stringify(rootArgs(p))}; the bootloader always boots root=UUID=<root filesystem> rw`,
  },
];
