/**
 * The input of the commands Terraform runs from a terraform_data resource:
 * `jsonencode(self.input)` in the environment variable CDKTF_DOCKER_VM_INPUT,
 * so no user string is ever a word of the command line, and a destroy-time
 * provisioner (which may only read `self`) gets the same input as the create.
 */
import { z } from 'zod';
import { SpecError } from '../common/errors';
import { describeIssues } from '../spec-file';

export const INPUT_VARIABLE = 'CDKTF_DOCKER_VM_INPUT';

/** Terraform's jsonencode writes numbers from HCL as numbers, and numbers that came through a string variable as strings. */
export const wholeNumber = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(0));

export function readEnvInput<T extends z.ZodType>(command: string, schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const fix = `${command} is run by the constructs' terraform_data resources; synthesize the stack again with this version of cdktf-docker-vm (cdktf synth)`;
  const text = env[INPUT_VARIABLE];
  if (text === undefined || text.trim() === '') throw new SpecError(`${command} reads its input from the environment variable ${INPUT_VARIABLE}, which is not set; ${fix}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`${INPUT_VARIABLE} is not JSON (${(e as Error).message}); ${fix}`);
  }
  const checked = schema.safeParse(parsed);
  if (!checked.success) throw new SpecError(`${INPUT_VARIABLE} is not a valid input of ${command}: ${describeIssues(checked.error.issues, parsed)}; ${fix}`);
  return checked.data;
}
