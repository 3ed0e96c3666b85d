import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/builder/cli';
import { INPUT_VARIABLE } from '../../../src/builder/commands/env-input';
import { fakeIo } from '../support/fake-io';
import { SpacesModel } from '../support/spaces-model';

const VARIABLES = [INPUT_VARIABLE, 'SPACES_ACCESS_KEY_ID', 'SPACES_SECRET_ACCESS_KEY', 'DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN', 'DIGITALOCEAN_API_URL'];

async function withEnv<T>(env: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(VARIABLES.map(name => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await body();
  } finally {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name]; else process.env[name] = saved[name];
    }
  }
}

let work: string;
let model: SpacesModel;
let file: string;
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-delivery-cmd-'));
  file = path.join(work, 'disk.qcow2');
  writeFileSync(file, randomBytes(1024 * 1024));
  model = await new SpacesModel().start();
});
afterAll(async () => {
  await model.stop();
  rmSync(work, { recursive: true, force: true });
});

function uploadInput(overrides: object = {}): string {
  return JSON.stringify({ endpoint: model.endpoint, region: 'nyc3', bucket: model.bucket, key: 'docker-vm/a.qcow2', file, owner: 'stack/Image', partSizeMiB: 5, ...overrides });
}

const KEYS = { SPACES_ACCESS_KEY_ID: 'MODELACCESSKEY', SPACES_SECRET_ACCESS_KEY: 'secret-marker-0c1d' };

describe('upload-image command', () => {
  test('GIVEN keys and a token WHEN run THEN it exits 0 and the file is in the bucket, public until the seal', async () => {
    const { io, out } = fakeIo();
    const code = await withEnv({ [INPUT_VARIABLE]: uploadInput(), ...KEYS, DIGITALOCEAN_TOKEN: 't' }, () => main(['upload-image'], io));
    expect(code).toBe(0);
    expect(model.objects.get('docker-vm/a.qcow2')?.acl).toBe('public-read');
    expect(out.stderr).toMatch(/upload: done: 1\.0 MiB in/);
    expect(out.stderr).not.toContain('secret-marker');
  });

  test('GIVEN no DigitalOcean token WHEN run THEN it exits 2 before uploading, since the seal could not make the file private', async () => {
    model.objects.clear();
    const { io, out } = fakeIo();
    const code = await withEnv({ [INPUT_VARIABLE]: uploadInput({ key: 'docker-vm/b.qcow2' }), ...KEYS }, () => main(['upload-image'], io));
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/^cdktf-docker-vm: error: neither DIGITALOCEAN_TOKEN nor DIGITALOCEAN_ACCESS_TOKEN is set; export the DigitalOcean API token/);
    expect(model.objects.has('docker-vm/b.qcow2')).toBe(false);
  });

  test.each<[string, object, RegExp]>([
    ['a part size below S3\'s minimum', { partSizeMiB: 1 }, /partSizeMiB must be at least 5, got 1/],
    ['an endpoint that is not a URL', { endpoint: 'nyc3' }, /endpoint/],
    ['a misspelt field', { partSize: 5 }, /partSize is not a known field/],
  ])('GIVEN %s WHEN run THEN it exits 2 naming the field, with no stack trace', async (_what, overrides, message) => {
    const { io, out } = fakeIo();
    const code = await withEnv({ [INPUT_VARIABLE]: uploadInput(overrides), ...KEYS, DIGITALOCEAN_TOKEN: 't' }, () => main(['upload-image'], io));
    expect(code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('seal-image and delete-image-object commands', () => {
  test('GIVEN no Spaces keys WHEN seal-image runs THEN it exits 2 saying what to export', async () => {
    const input = JSON.stringify({
      endpoint: model.endpoint, region: 'nyc3', bucket: model.bucket, key: 'k.qcow2', imageName: 'n', owner: 'o', uploadResource: 'terraform_data.U', timeoutSeconds: 60, startGraceSeconds: 5,
    });
    const { io, out } = fakeIo();
    const code = await withEnv({ [INPUT_VARIABLE]: input, DIGITALOCEAN_TOKEN: 't' }, () => main(['seal-image'], io));
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY are not set/);
  });

  test('GIVEN the upload\'s own input WHEN delete-image-object runs at destroy THEN the file is gone, and a second run still exits 0', async () => {
    model.seed('docker-vm/gone.qcow2', { body: Buffer.from('x') });
    const input = uploadInput({ key: 'docker-vm/gone.qcow2' });
    for (let run = 0; run < 2; run++) {
      const { io } = fakeIo();
      expect(await withEnv({ [INPUT_VARIABLE]: input, ...KEYS }, () => main(['delete-image-object'], io))).toBe(0);
    }
    expect(model.objects.has('docker-vm/gone.qcow2')).toBe(false);
  });
});

describe('probe-image-url command', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/ok.qcow2' ? 200 : req.url === '/private.qcow2' ? 403 : 404, { 'content-length': req.url === '/ok.qcow2' ? '4096' : '0' });
      res.end();
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  test.each<[string, number, RegExp]>([
    ['/ok.qcow2', 0, /probe: http:\/\/127\.0\.0\.1:\d+\/ok\.qcow2 answers 200, 4\.0 KiB/],
    ['/private.qcow2', 1, /answers HTTP 403 without credentials; DigitalOcean downloads anonymously/],
    ['/missing.qcow2', 1, /answers HEAD with HTTP 404; DigitalOcean needs a URL that answers HEAD with 200/],
  ])('GIVEN a URL path %s WHEN probed THEN it exits %d with a clear line', async (urlPath, expected, message) => {
    const { io, out } = fakeIo();
    const code = await withEnv({ [INPUT_VARIABLE]: JSON.stringify({ url: base + urlPath }) }, () => main(['probe-image-url'], io));
    expect(code).toBe(expected);
    expect(out.stderr).toMatch(message);
  });
});
