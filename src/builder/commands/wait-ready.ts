import { z } from 'zod';
import { Command } from './command';
import { INPUT_VARIABLE, readEnvInput, wholeNumber } from './env-input';
import { waitReady } from '../ready/wait-ready';

const port = wholeNumber.pipe(z.number().min(1).max(65535));

const inputSchema = z.strictObject({
  host: z.string().min(1),
  port,
  httpPath: z.string().startsWith('/').nullish(),
  timeoutSeconds: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().positive()),
});

/** `wait-ready`: the Droplet readiness gate, until the machine answers on a port (or an HTTP path). */
export const waitReadyCommand: Command = {
  name: 'wait-ready',
  flags: { quiet: 'switch' },
  synopsis: '(its input is JSON in the environment variable CDKTF_DOCKER_VM_INPUT)',
  options: `Wait-ready input (${INPUT_VARIABLE}, set by the Droplet construct's readiness gate)
  host, port             wait until a TCP connection to host:port succeeds
  httpPath               or until GET http://host:port/PATH answers 2xx or 3xx
  timeoutSeconds         give up (exit 1) after this long; the old Droplets stay until a gate passes
`,
  examples: [],
  run: async (_args, { progress, signal }) => {
    const input = readEnvInput('wait-ready', inputSchema);
    await waitReady({ host: input.host, port: input.port, httpPath: input.httpPath ?? undefined, timeoutSeconds: input.timeoutSeconds }, {
      signal,
      report: line => progress.step('ready', line),
    });
    return 0;
  },
};
