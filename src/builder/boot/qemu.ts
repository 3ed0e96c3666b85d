import { copyFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { Accelerator, QemuProcess } from './qemu-process';
import { SpecError, ToolMissingError } from '../common/errors';
import { ToolRunner } from '../common/tools';
import { extractPackagedDisk } from '../convert/packages';
import { DISK_FORMATS, DiskFormatName, FirmwareName, formatOfExtension, packageFacts, qemuFormatName } from '../spec';

// Kept importable from here: the builder's entry point (index.ts) re-exports this file.
export { ConsoleCleaner, lastLines } from './console';
export { KVM_ERROR, kvmUsable } from './qemu-process';

/** OVMF (Debian package ovmf): read-only code and the template of the writable variable store. */
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';

export interface BootOptions {
  readonly image: string;
  /** Guessed from the file extension when absent. */
  readonly format?: DiskFormatName;
  /** Stop when the serial console shows this; default: a login prompt. */
  readonly until?: RegExp;
  readonly timeoutSeconds?: number;
  readonly memoryMiB?: number;
  /** bios: SeaBIOS (QEMU's default). uefi: OVMF, with a temporary copy of its variable store. Default bios. */
  readonly firmware?: FirmwareName;
  /** Called with console output as it arrives. */
  readonly onConsole?: (text: string) => void;
  readonly signal?: AbortSignal;
}

export interface BootResult {
  readonly console: string;
  readonly seconds: number;
  readonly accelerator: string;
}

/**
 * getty's `HOSTNAME login: ` at the start of a line. Not anchored at the end:
 * a kernel message can follow on the same line before any newline, and a wait
 * for `login: *$` then never matches.
 */
export const LOGIN_PROMPT = /^\S+ login: /m;

/**
 * Boots a disk image the way a cloud does it (SeaBIOS, or OVMF for UEFI; virtio disk and NIC,
 * serial console) until the console shows `until`, then stops the QEMU it
 * started. Uses KVM when /dev/kvm is usable, else software emulation (TCG).
 * The image is never modified (snapshot mode); compressed images are
 * decompressed to a temp file first.
 */
export async function bootUntil(opts: BootOptions, tools = new ToolRunner(opts.signal)): Promise<BootResult> {
  tools.require(['qemu-system-x86_64']);
  const until = opts.until ?? LOGIN_PROMPT;
  const timeoutSeconds = opts.timeoutSeconds ?? 300;
  if (opts.firmware === 'uefi') requireOvmf();
  const qemu = new QemuProcess(tools.resolve('qemu-system-x86_64'), 'cdktf-docker-vm-boot-');
  try {
    const { file, format } = await prepareImage(opts.image, opts.format, qemu.dir, tools);
    const firmwareArgs = opts.firmware === 'uefi' ? ovmfArgs(qemu.dir) : [];
    const seconds = await qemu.boot({
      argv: accelerator => bootArgs(accelerator, file, format, firmwareArgs, opts.memoryMiB ?? 1024),
      onConsole: opts.onConsole,
      ready: async () => {
        await qemu.waitFor(until, timeoutSeconds, opts.signal);
        return (Date.now() - qemu.startedAt) / 1000;
      },
      beforeTcg: why => opts.onConsole?.(`\n[cdktf-docker-vm: KVM does not work here (${why}); booting again with software emulation (tcg)]\n`),
    });
    return { console: qemu.console, seconds, accelerator: qemu.accelerator };
  } finally {
    await qemu.close();
  }
}

function requireOvmf(): void {
  for (const file of [OVMF_CODE, OVMF_VARS]) {
    if (!existsSync(file)) throw new ToolMissingError(`UEFI firmware ${file} not found; install it with: apt-get install ovmf (needed for --firmware uefi)`);
  }
}

/**
 * OVMF as two flash chips: the code read-only, the variable store a fresh copy in
 * `work` (OVMF writes to it; the packaged template is never touched).
 */
export function ovmfArgs(work: string): string[] {
  const vars = path.join(work, 'OVMF_VARS.fd');
  copyFileSync(OVMF_VARS, vars);
  return [
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${vars}`,
  ];
}

function bootArgs(accelerator: Accelerator, file: string, format: DiskFormatName, firmwareArgs: readonly string[], memoryMiB: number): string[] {
  return [
    '-machine', 'pc', '-accel', accelerator, '-m', String(memoryMiB), '-smp', '2',
    ...firmwareArgs,
    '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot',
    '-drive', `file=${file},format=${qemuFormatName(format)},if=virtio,snapshot=on`,
    '-nic', 'user,model=virtio-net-pci',
  ];
}

/** The image as QEMU can open it: compressed images are decompressed, and a package's disk copied out, into `work`. */
export async function prepareImage(image: string, format: DiskFormatName | undefined, work: string, tools: ToolRunner) {
  let file = path.resolve(image);
  let name = path.basename(file);
  const compressed = /\.(gz|bz2)$/.exec(name);
  if (compressed) {
    name = name.slice(0, -compressed[0].length);
    const out = path.join(work, name);
    await tools.run({ tool: compressed[1] === 'gz' ? 'gzip' : 'bzip2', args: ['-d', '-c', file], stdoutFile: out });
    file = out;
  }
  const asked = format ?? formatFromName(name);
  return packageFacts(asked) ? extractPackagedDisk(file, asked, work) : { file, format: asked };
}

export function formatFromName(name: string): DiskFormatName {
  const format = formatOfExtension(path.extname(name).slice(1));
  if (format) return format;
  throw new SpecError(`cannot tell the format of ${name} from its extension; pass --format ${DISK_FORMATS.join('|')}`);
}
