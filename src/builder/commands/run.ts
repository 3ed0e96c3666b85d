import * as path from 'node:path';
import { Command } from './command';
import { openCache, runSpec } from './run-spec';
import { checkSpecInputs } from '../build-inputs';
import { one } from '../cli-args';
import { SpecError } from '../common/errors';
import { checkOutputWritable } from '../pipeline';
import { readSpecFile } from '../spec-file';

/** `run --spec FILE`: the stage a spec file describes (what the constructs' local-exec runs). */
export const run: Command = {
  name: 'run',
  flags: { 'spec': 'value', 'cache-dir': 'value', 'json': 'switch', 'quiet': 'switch' },
  synopsis: '--spec FILE [--json]',
  options: '',
  examples: [],
  run: async (args, context) => {
    const specPath = one(args, 'spec');
    if (!specPath) throw new SpecError('--spec FILE is required');
    const read = readSpecFile(specPath);
    const { specFile, baseDir } = read;
    checkSpecInputs(specFile.spec, baseDir);
    const output = specFile.output ? path.resolve(baseDir, specFile.output) : undefined;
    if (output) checkOutputWritable(output);
    const cache = openCache(one(args, 'cache-dir'), read);
    return runSpec({ spec: specFile.spec, baseDir, output, cache, json: args.flags.has('json') }, context);
  },
};
