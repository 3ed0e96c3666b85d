import { SpecError } from './common/errors';

/** A switch takes no value; a value flag is given at most once; a repeatable flag any number of times. */
export type FlagKind = 'switch' | 'value' | 'repeatable';

/** A command's flags by name, without the leading dashes. */
export type FlagTable = Readonly<Record<string, FlagKind>>;

/** A command line as `parseArgs` reads it: flags by name (each given 0..n times) and the other words. */
export interface CommandArgs {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, readonly string[]>;
}

export interface ParsedArgs extends CommandArgs {
  /** The first word that is not a flag or a flag's value; '' when there is none. */
  readonly command: string;
}

/** Where a command writes its result (stdout) and its progress and errors (stderr). */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Splits argv into the command, the other words and the flags. A flag not in
 * `switches` takes `--name=VALUE` or the next word, even one starting with a
 * dash; `-h` is `--help`.
 */
export function parseArgs(argv: readonly string[], switches: ReadonlySet<string>): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  let command = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      let value: string;
      if (switches.has(name)) value = 'true';
      else if (eq > 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new SpecError(`--${name} needs a value; see cdktf-docker-vm --help`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else if (a === '-h') {
      flags.set('help', ['true']);
    } else if (!command) {
      command = a;
    } else {
      positional.push(a);
    }
  }
  return { command, positional, flags };
}

/** Fails on a flag the command does not take, and on a value flag given more than once. */
export function checkFlags(args: ParsedArgs, table: FlagTable): void {
  for (const [name, values] of args.flags) {
    if (!Object.hasOwn(table, name)) throw new SpecError(`unknown option --${name} for ${args.command}; see cdktf-docker-vm --help`);
    if (table[name] === 'value' && values.length > 1) throw new SpecError(`--${name} was given ${values.length} times; give it once`);
  }
}

/** The value of a flag that is given at most once (`checkFlags` saw to that). */
export function one(args: CommandArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}
