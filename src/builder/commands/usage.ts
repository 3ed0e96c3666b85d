import { Command } from './command';

const ABOUT = `Turns a Dockerfile, an image or a rootfs tar into a bootable VM disk image,
rootless: no sudo, mount, loop device or privileged container.`;

const EXIT_CODES = `Exit codes: 0 ok, 1 build failed, 2 bad input, 3 missing host tool, 130 interrupted.
Set CDKTF_DOCKER_VM_DEBUG=1 to print the stack trace of an unexpected error (for a bug report).`;

/** The text of --help, made of each command's synopsis, options and examples. */
export function usage(commands: readonly Command[]): string {
  return [
    ['Usage', ...commands.map(c => `  cdktf-docker-vm ${c.name} ${c.synopsis}`)].join('\n'),
    ABOUT,
    ...commands.map(c => c.options.trimEnd()).filter(options => options !== ''),
    EXIT_CODES,
    ['Examples', ...commands.flatMap(c => c.examples.map(e => `  cdktf-docker-vm ${c.name} ${e}`))].join('\n'),
  ].join('\n\n') + '\n';
}
