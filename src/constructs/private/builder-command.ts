import { LocalExecProvisioner } from 'cdktf';
import { builderCliPath } from './builder-cli-path';

/** The variable the builder's terraform_data commands read their input from (builder/commands/env-input.ts). */
const INPUT_VARIABLE = 'CDKTF_DOCKER_VM_INPUT';

/**
 * A local-exec that runs `node <cli> COMMAND` with the resource's own `input`
 * as JSON in the environment: no user string is a word of the command line,
 * and a destroy-time provisioner, which may read only `self`, gets the same input.
 */
export function builderCommand(command: string, when?: 'destroy'): LocalExecProvisioner {
  return {
    type: 'local-exec',
    interpreter: ['node', builderCliPath()],
    command,
    environment: { [INPUT_VARIABLE]: '${jsonencode(self.input)}' },
    ...(when ? { when } : {}),
  };
}
