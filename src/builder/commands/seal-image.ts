import { z } from 'zod';
import { Command } from './command';
import { INPUT_VARIABLE, readEnvInput, wholeNumber } from './env-input';
import { locationOf, spacesLocationShape } from './spaces-input';
import { apiToken, apiUrl, imagesApi } from '../clouds/digitalocean/images-api';
import { spacesObjectUrl } from '../clouds/digitalocean/spaces-url';

const inputSchema = z.strictObject({
  ...spacesLocationShape,
  imageName: z.string().min(1),
  file: z.string().min(1).optional(),
  owner: z.string().min(1),
  uploadResource: z.string().min(1),
  timeoutSeconds: wholeNumber.pipe(z.number().min(1)),
  startGraceSeconds: wholeNumber,
});

/** `seal-image`: waits for DigitalOcean's import of the uploaded file to end, then makes the file private. */
export const sealImageCommand: Command = {
  name: 'seal-image',
  flags: { quiet: 'switch' },
  synopsis: '(its input is JSON in the environment variable CDKTF_DOCKER_VM_INPUT)',
  options: `Seal-image input (${INPUT_VARIABLE}, set by the CustomImage construct)
  endpoint, region, bucket, key   the uploaded image file
  imageName              the custom image DigitalOcean imports it as; watched until available or deleted
  timeoutSeconds         give up after this long (the file is made private all the same)
  startGraceSeconds      when no import starts this long and the image already exists, nothing needs the file
  owner, uploadResource  whose earlier files to remove; the upload's Terraform address for advice
  Needs DIGITALOCEAN_TOKEN (and DIGITALOCEAN_API_URL for another API), SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY.
`,
  examples: [],
  // The AWS SDK is required only when a delivery command runs: every other command starts 0.3 s sooner.
  run: async (_args, { progress, signal }) => {
    const input = readEnvInput('seal-image', inputSchema);
    const location = locationOf(input);
    const api = imagesApi(apiUrl(), apiToken());
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { withSpacesClient } = require('../clouds/digitalocean/spaces-client') as typeof import('../clouds/digitalocean/spaces-client');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { sealImage } = require('../delivery/seal-image') as typeof import('../delivery/seal-image');
    await withSpacesClient(location, client => sealImage({
      location,
      url: spacesObjectUrl(location.endpoint, location.bucket, location.key),
      imageName: input.imageName,
      file: input.file,
      owner: input.owner,
      timeoutSeconds: input.timeoutSeconds,
      startGraceSeconds: input.startGraceSeconds,
      uploadResource: input.uploadResource,
    }, { client, api, signal, report: line => progress.step('seal', line), pollMs: pollMs() }));
    return 0;
  },
};

/** Tests poll a local API stub faster than the 10 s a real import deserves. */
function pollMs(): number | undefined {
  const value = Number(process.env.CDKTF_DOCKER_VM_SEAL_POLL_MS);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
