import { Command } from './command';
import { checkCommand } from '../check/run';
import { one } from '../cli-args';

const OPTIONS = `Check options (DigitalOcean's custom image rules, read without mounting; table on stdout)
  --format F             image format (default: detected from the content)
  --allow-authorized-keys  do not fail on /root/.ssh/authorized_keys or /home/*/.ssh/authorized_keys
  --json                 print {image, ok, results: [{rule, status, detail}]} instead of the table
  Exit 0 when every rule passes, 1 when one fails, 2 when the file cannot be read.
`;

/** `check IMAGE`: DigitalOcean's custom image rules judged on a built image. */
export const check: Command = {
  name: 'check',
  flags: { 'format': 'value', 'allow-authorized-keys': 'switch', 'json': 'switch', 'quiet': 'switch' },
  synopsis: 'IMAGE [--format F] [--allow-authorized-keys] [--json] [--quiet]',
  options: OPTIONS,
  examples: ['upload.qcow2.gz'],
  run: (args, { io, progress, tools }) => checkCommand(
    args.positional, tools,
    { format: one(args, 'format'), allowAuthorizedKeys: args.flags.has('allow-authorized-keys'), json: args.flags.has('json') },
    io, message => progress.step('check', message),
  ),
};
