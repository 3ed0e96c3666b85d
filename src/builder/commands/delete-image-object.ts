import { z } from 'zod';
import { Command } from './command';
import { INPUT_VARIABLE, readEnvInput } from './env-input';
import { locationOf, spacesLocationShape } from './spaces-input';
import { withSpacesClient } from '../clouds/digitalocean/spaces-client';
import { deleteImageObject } from '../delivery/delete-image-object';

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
  run: async (_args, { progress }) => {
    const location = locationOf(readEnvInput('delete-image-object', inputSchema));
    await withSpacesClient(location, client => deleteImageObject(client, location, line => progress.step('delete', line)));
    return 0;
  },
};
