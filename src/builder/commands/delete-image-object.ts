import { z } from 'zod';
import { Command } from './command';
import { INPUT_VARIABLE, readEnvInput } from './env-input';
import { locationOf, spacesLocationShape } from './spaces-input';

// The upload's own input: a destroy-time provisioner may read only `self`.
const inputSchema = z.looseObject({ ...spacesLocationShape });

/** `delete-image-object`: the upload's destroy step. */
export const deleteImageObjectCommand: Command = {
  name: 'delete-image-object',
  flags: { quiet: 'switch' },
  synopsis: '(its input is JSON in the environment variable CDKTF_DOCKER_VM_INPUT)',
  options: `Delete-image-object input (${INPUT_VARIABLE}, the upload's input): deletes the file at endpoint, bucket, key
  and aborts unfinished uploads of it. Needs SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY.
`,
  examples: [],
  // The AWS SDK is required only when a delivery command runs: every other command starts 0.3 s sooner.
  run: async (_args, { progress }) => {
    const location = locationOf(readEnvInput('delete-image-object', inputSchema));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { withSpacesClient } = require('../clouds/digitalocean/spaces-client') as typeof import('../clouds/digitalocean/spaces-client');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { deleteImageObject } = require('../delivery/delete-image-object') as typeof import('../delivery/delete-image-object');
    await withSpacesClient(location, client => deleteImageObject(client, location, line => progress.step('delete', line)));
    return 0;
  },
};
