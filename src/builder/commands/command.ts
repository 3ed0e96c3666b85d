import { CommandArgs, FlagTable, Io } from '../cli-args';
import { Progress } from '../common/progress';
import { ToolRunner } from '../common/tools';

/** What a command runs with. `signal` aborts on SIGINT or SIGTERM. */
export interface CommandContext {
  readonly io: Io;
  readonly progress: Progress;
  readonly tools: ToolRunner;
  readonly signal: AbortSignal;
}

/** One `cdktf-docker-vm NAME ...`: the flags it takes, its part of --help and what it does. */
export interface Command {
  readonly name: string;
  readonly flags: FlagTable;
  /** What follows `cdktf-docker-vm NAME` in the Usage lines. */
  readonly synopsis: string;
  /** Its options section of --help; '' when the synopsis says it all. */
  readonly options: string;
  /** Command lines for the Examples of --help, each without `cdktf-docker-vm NAME`. */
  readonly examples: readonly string[];
  /** Returns the exit code; bad input throws a SpecError. */
  run(args: CommandArgs, context: CommandContext): Promise<number>;
}
