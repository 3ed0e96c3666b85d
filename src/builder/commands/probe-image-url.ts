import { z } from 'zod';
import { Command } from './command';
import { INPUT_VARIABLE, readEnvInput } from './env-input';
import { probeImageUrl } from '../delivery/probe-url';

const inputSchema = z.strictObject({ url: z.url({ protocol: /^https?$/ }) });

/** `probe-image-url`: CustomImage.fromUrl's check that the URL answers before DigitalOcean imports it. */
export const probeImageUrlCommand: Command = {
  name: 'probe-image-url',
  flags: { quiet: 'switch' },
  synopsis: '(its input is JSON in the environment variable CDKTF_DOCKER_VM_INPUT)',
  options: `Probe-image-url input (${INPUT_VARIABLE}, set by CustomImage.fromUrl)
  url                    must answer HEAD with 2xx without credentials
`,
  examples: [],
  run: async (_args, { progress }) => {
    const input = readEnvInput('probe-image-url', inputSchema);
    await probeImageUrl(input.url, line => progress.step('probe', line));
    return 0;
  },
};
