import { Command } from './command';
import { bootUntil } from '../boot/qemu';
import { one } from '../cli-args';
import { SpecError } from '../common/errors';
import { choice, diskFormat, memoryMiB, regex, seconds } from '../flag-values';
import { requireDiskImage } from '../input-checks';
import { FIRMWARES } from '../spec';

const OPTIONS = `Boot options
  --format F             image format (default: from the file name)
  --firmware FW          bios (SeaBIOS) | uefi (OVMF, Debian package ovmf) (default bios)
  --timeout SECONDS      give up after this long (default 300)
  --until REGEX          stop when the serial console matches (default: a login prompt)
  --memory MIB           guest memory (default 1024)
`;

/** `boot IMAGE`: QEMU until the serial console shows a login prompt (or --until), then stop; prints the time on stdout. */
export const boot: Command = {
  name: 'boot',
  flags: { format: 'value', firmware: 'value', timeout: 'value', until: 'value', memory: 'value', quiet: 'switch' },
  synopsis: 'IMAGE [--format F] [--firmware bios|uefi] [--timeout SECONDS]',
  options: OPTIONS,
  examples: ['hello.qcow2', 'uefi.qcow2 --firmware uefi'],
  run: async (args, { io, progress, signal }) => {
    const image = args.positional[0];
    if (!image) throw new SpecError('boot needs an IMAGE; example: cdktf-docker-vm boot hello.qcow2');
    if (args.positional.length > 1) throw new SpecError(`unexpected argument ${args.positional[1]}; boot takes one IMAGE`);
    requireDiskImage(image);
    const format = diskFormat(one(args, 'format'));
    const timeoutFlag = one(args, 'timeout');
    const timeoutSeconds = timeoutFlag === undefined ? 300 : seconds('timeout', timeoutFlag);
    const until = one(args, 'until');
    const untilRegex = until === undefined ? undefined : regex('until', until);
    const memory = memoryMiB(one(args, 'memory')) ?? 1024;
    const firmware = choice('firmware', one(args, 'firmware') ?? 'bios', FIRMWARES);
    progress.step('boot', `starting QEMU with ${image}${firmware === 'uefi' ? ' (UEFI: OVMF)' : ''}`);
    const result = await bootUntil({
      image,
      format,
      timeoutSeconds,
      until: untilRegex,
      memoryMiB: memory,
      firmware,
      signal,
      onConsole: args.flags.has('quiet') ? undefined : text => io.stderr.write(text),
    });
    io.stderr.write('\n');
    progress.step('boot', `reached ${until ?? 'the login prompt'} in ${result.seconds.toFixed(1)} s (${result.accelerator}); QEMU stopped`);
    io.stdout.write(`${JSON.stringify({ seconds: result.seconds, accelerator: result.accelerator })}\n`);
    return 0;
  },
};
