/** The `cdktf-docker-vm` command line: picks the command, prints --help and --version, turns errors into exit codes. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkFlags, Io, parseArgs } from './cli-args';
import { COMMANDS, SWITCHES, commandNamed } from './commands/table';
import { usage } from './commands/usage';
import { BuilderError, InterruptedError } from './common/errors';
import { Progress } from './common/progress';
import { ToolRunner } from './common/tools';

/** Runs the CLI; returns the exit code. Errors go to stderr as one clear message. */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    io.stderr.write(`cdktf-docker-vm: ${sig} received, stopping and removing temporary files\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const args = parseArgs(argv, SWITCHES);
    if (args.flags.has('version')) {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    if (args.flags.has('help') || args.command === 'help' || args.command === '') {
      io.stdout.write(usage(COMMANDS));
      return args.command === '' && !args.flags.has('help') ? 2 : 0;
    }
    const command = commandNamed(args.command);
    checkFlags(args, command.flags);
    const progress = new Progress(line => io.stderr.write(line + '\n'), args.flags.has('quiet'));
    return await command.run(args, { io, progress, tools: new ToolRunner(controller.signal), signal: controller.signal });
  } catch (e) {
    if (controller.signal.aborted && !(e instanceof InterruptedError)) {
      io.stderr.write('cdktf-docker-vm: interrupted; temporary files removed, nothing was added to the cache\n');
      return 130;
    }
    if (e instanceof BuilderError) {
      io.stderr.write(`cdktf-docker-vm: error: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr.write(unexpectedError(e));
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The last-resort message: a bug in this tool, so a pointer to report it; the stack only when asked for. */
export function unexpectedError(e: unknown, env = process.env): string {
  const message = e instanceof Error ? e.message : String(e);
  const stack = env.CDKTF_DOCKER_VM_DEBUG === '1' && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  return `cdktf-docker-vm: unexpected error: ${message}\n` +
    '  this is a bug in cdktf-docker-vm: please report it with the command line; run again with CDKTF_DOCKER_VM_DEBUG=1 for the stack trace\n' + stack;
}

export function version(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(path.join(__dirname, rel), 'utf8')) as { version: string }).version;
    } catch {
      // try the next layout (src/ under ts-node, lib/ when installed)
    }
  }
  return 'unknown';
}

if (require.main === module) {
  process.on('unhandledRejection', e => {
    process.stderr.write(unexpectedError(e));
    process.exit(1);
  });
  void main(process.argv.slice(2)).then(code => { process.exitCode = code; });
}
