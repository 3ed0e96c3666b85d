import { AddressInfo, createServer } from 'node:net';
import { main } from '../../../src/builder/cli';
import { INPUT_VARIABLE } from '../../../src/builder/commands/env-input';
import { fakeIo } from '../support/fake-io';

async function withInput<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env[INPUT_VARIABLE];
  if (value === undefined) delete process.env[INPUT_VARIABLE]; else process.env[INPUT_VARIABLE] = value;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env[INPUT_VARIABLE]; else process.env[INPUT_VARIABLE] = saved;
  }
}

describe('wait-ready command', () => {
  test('GIVEN a listening port in CDKTF_DOCKER_VM_INPUT WHEN run THEN it exits 0 and reports the wait', async () => {
    // GIVEN
    const server = createServer(socket => socket.end());
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const { io, out } = fakeIo();
    try {
      // WHEN terraform's jsonencode(self.input) is in the environment
      const code = await withInput(JSON.stringify({ host: '127.0.0.1', port, httpPath: null, timeoutSeconds: 60 }), () => main(['wait-ready'], io));
      // THEN
      expect(code).toBe(0);
      expect(out.stderr).toMatch(/ready: 127\.0\.0\.1:\d+ to accept a TCP connection answered after/);
    } finally {
      server.close();
    }
  });

  test.each<[string, string | undefined, RegExp]>([
    ['no input', undefined, /wait-ready reads its input from the environment variable CDKTF_DOCKER_VM_INPUT, which is not set; .*cdktf synth/],
    ['input that is not JSON', '{host', /CDKTF_DOCKER_VM_INPUT is not JSON/],
    ['a port out of range', JSON.stringify({ host: 'h', port: 70000, timeoutSeconds: 5 }), /port must be at most 65535, got 70000/],
    ['a path without a slash', JSON.stringify({ host: 'h', port: 80, httpPath: 'healthz', timeoutSeconds: 5 }), /httpPath/],
    ['a misspelt field', JSON.stringify({ host: 'h', port: 80, timeout: 5 }), /timeout is not a known field/],
  ])('GIVEN %s WHEN run THEN it exits 2 naming the problem, with no stack trace', async (_what, input, message) => {
    const { io, out } = fakeIo();
    const code = await withInput(input, () => main(['wait-ready'], io));
    expect(code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
