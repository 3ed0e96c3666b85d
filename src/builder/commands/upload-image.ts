import { z } from 'zod';
import { Command } from './command';
import { INPUT_VARIABLE, readEnvInput, wholeNumber } from './env-input';
import { locationOf, spacesLocationShape } from './spaces-input';
import { apiToken } from '../clouds/digitalocean/images-api';
import { MIN_PART_MIB } from '../delivery/part-size';

const inputSchema = z.strictObject({
  ...spacesLocationShape,
  file: z.string().min(1),
  owner: z.string().min(1),
  partSizeMiB: wholeNumber.pipe(z.number().min(MIN_PART_MIB).max(5 * 1024)),
});

/** `upload-image`: the CustomImage's upload to Spaces, run by its terraform_data. */
export const uploadImageCommand: Command = {
  name: 'upload-image',
  flags: { quiet: 'switch' },
  synopsis: '(its input is JSON in the environment variable CDKTF_DOCKER_VM_INPUT)',
  options: `Upload-image input (${INPUT_VARIABLE}, set by the CustomImage construct)
  file                   the image file to upload
  endpoint, region       the Spaces endpoint (e.g. https://nyc3.digitaloceanspaces.com) and region
  bucket, key            where the file goes; it is public-read until seal-image ends the import
  owner                  stored as object metadata, so seal-image removes only this image's older files
  partSizeMiB            multipart part size (5 or more; raised for files that need over 10,000 parts)
  Needs SPACES_ACCESS_KEY_ID, SPACES_SECRET_ACCESS_KEY and DIGITALOCEAN_TOKEN in the environment.
`,
  examples: [],
  // The AWS SDK is required only when a delivery command runs: every other command starts 0.3 s sooner.
  run: async (_args, { progress, signal }) => {
    const input = readEnvInput('upload-image', inputSchema);
    // The seal step needs the token once the file is public: refuse before uploading rather than leave it public.
    apiToken();
    const location = locationOf(input);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { withSpacesClient } = require('../clouds/digitalocean/spaces-client') as typeof import('../clouds/digitalocean/spaces-client');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { uploadImage } = require('../delivery/upload-image') as typeof import('../delivery/upload-image');
    await withSpacesClient(location, client => uploadImage({ file: input.file, location, owner: input.owner, partSizeMiB: input.partSizeMiB }, {
      client, signal, report: line => progress.step('upload', line),
    }));
    return 0;
  },
};
