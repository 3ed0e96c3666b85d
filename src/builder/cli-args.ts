import { SpecError } from './common/errors';

/** A command line as `parseArgs` reads it: flags by name (each given 0..n times) and the other words. */
export interface CommandArgs {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, readonly string[]>;
}

/** Where a command writes its result (stdout) and its progress and errors (stderr). */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The value of a flag that may be given at most once. */
export function one(args: CommandArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v && v.length > 1) throw new SpecError(`--${name} was given ${v.length} times; give it once`);
  return v?.[0];
}
