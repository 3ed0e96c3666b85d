import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SpacesLocation, spacesClient } from '../../../src/builder/clouds/digitalocean/spaces-client';
import { InterruptedError, SpecError } from '../../../src/builder/common/errors';
import { OWNER_METADATA } from '../../../src/builder/delivery/owner';
import { partSizeBytes } from '../../../src/builder/delivery/part-size';
import { uploadImage } from '../../../src/builder/delivery/upload-image';
import { SpacesModel } from '../support/spaces-model';
import { waitFor } from '../support/wait-for';

const MiB = 1024 * 1024;
const KEYS = { SPACES_ACCESS_KEY_ID: 'MODELACCESSKEY', SPACES_SECRET_ACCESS_KEY: 'model-secret-do-not-print' };

let work: string;
let model: SpacesModel;
let file: string;
let content: Buffer;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-upload-'));
  content = randomBytes(12 * MiB + 12345);
  file = path.join(work, 'disk.qcow2.gz');
  writeFileSync(file, content);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(async () => {
  model = await new SpacesModel().start();
});
const clients: S3Client[] = [];
afterEach(async () => {
  clients.splice(0).forEach(c => c.destroy());
  await model.stop();
});

function clientFor(loc: SpacesLocation, env: NodeJS.ProcessEnv): S3Client {
  const client = spacesClient(loc, env);
  clients.push(client);
  return client;
}

function location(key = 'docker-vm/abc.qcow2.gz'): SpacesLocation {
  return { endpoint: model.endpoint, region: 'nyc3', bucket: model.bucket, key };
}

function upload(options: { signal?: AbortSignal; lines?: string[]; env?: NodeJS.ProcessEnv; key?: string; file?: string } = {}) {
  const loc = location(options.key);
  return uploadImage({ file: options.file ?? file, location: loc, owner: 'stack/Image', partSizeMiB: 5 }, {
    client: clientFor(loc, options.env ?? KEYS),
    signal: options.signal ?? new AbortController().signal,
    report: line => options.lines?.push(line),
    reportEveryMs: 0,
  });
}

describe('uploadImage', () => {
  test('GIVEN a 12 MiB image and 5 MiB parts WHEN uploaded THEN it goes in 3 parts, whole, public-read, with its owner', async () => {
    // GIVEN / WHEN
    const lines: string[] = [];
    await upload({ lines });
    // THEN
    const key = 'docker-vm/abc.qcow2.gz';
    expect(model.opsOn(key).filter(op => op === 'UploadPart')).toHaveLength(3);
    expect(model.opsOn(key)).toContain('CreateMultipartUpload:public-read');
    const stored = model.objects.get(key)!;
    expect(stored.body.equals(content)).toBe(true);
    expect(stored.acl).toBe('public-read');
    expect(stored.metadata[OWNER_METADATA]).toBe('stack/Image');
    expect(model.uploads.size).toBe(0);
    expect(lines.some(l => /of 12\.0 MiB \(\d+%\), .+\/s/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^done: 12\.0 MiB in \d+ s/);
  });

  test('GIVEN a part that fails once WHEN uploaded THEN the part is sent again and the object is whole', async () => {
    // GIVEN
    model.failPartsOnce.add(2);
    // WHEN
    await upload();
    // THEN
    const key = 'docker-vm/abc.qcow2.gz';
    expect(model.opsOn(key).filter(op => op === 'UploadPart')).toHaveLength(4);
    expect(model.objects.get(key)!.body.equals(content)).toBe(true);
  });

  test('GIVEN slow parts WHEN interrupted mid-upload THEN it throws InterruptedError and leaves no unfinished upload and no object', async () => {
    // GIVEN
    model.partDelayMs = 3000;
    const controller = new AbortController();
    const uploading = upload({ signal: controller.signal });
    await waitFor(() => model.calls.some(c => c.op === 'UploadPart'), 30_000);
    // WHEN
    controller.abort();
    // THEN
    await expect(uploading).rejects.toThrow(InterruptedError);
    await waitFor(() => model.uploads.size === 0, 30_000);
    expect(model.uploads.size).toBe(0);
    expect(model.objects.size).toBe(0);
    expect(model.calls.map(c => c.op)).toContain('AbortMultipartUpload');
  });

  test('GIVEN an unfinished upload of the same key left by a killed run WHEN uploading THEN it is aborted first', async () => {
    // GIVEN
    model.uploads.set('stale-id', { key: 'docker-vm/abc.qcow2.gz', acl: 'public-read', metadata: {}, parts: new Map([[1, Buffer.alloc(10)]]) });
    model.uploads.set('other-id', { key: 'docker-vm/abc.qcow2.gz.other', acl: 'private', metadata: {}, parts: new Map() });
    const lines: string[] = [];
    // WHEN
    await upload({ lines });
    // THEN the stale one is gone, somebody else's upload of another key is not
    expect([...model.uploads.keys()]).toEqual(['other-id']);
    expect(lines[0]).toMatch(/aborted 1 unfinished upload of docker-vm\/abc\.qcow2\.gz/);
  });

  test('GIVEN a wrong key pair WHEN uploading THEN the error names the variables and not the secret', async () => {
    // GIVEN
    const env = { SPACES_ACCESS_KEY_ID: 'WRONGKEY', SPACES_SECRET_ACCESS_KEY: 'wrong-secret-do-not-print' };
    // WHEN
    const failure = await upload({ env }).catch((e: Error) => e);
    // THEN
    expect((failure as Error).message).toMatch(/Spaces refused the request \(InvalidAccessKeyId\).*SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY/);
    expect((failure as Error).message).not.toContain('wrong-secret');
    expect(model.objects.size).toBe(0);
  });

  test('GIVEN no Spaces keys WHEN making the client THEN a SpecError says what to export', () => {
    expect(() => spacesClient(location(), {})).toThrow(/SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY are not set; export the Spaces access key pair/);
  });

  test('GIVEN a missing image file WHEN uploading THEN a SpecError names the file and nothing is sent', async () => {
    await expect(upload({ file: path.join(work, 'missing.qcow2') })).rejects.toThrow(SpecError);
    expect(model.calls).toHaveLength(0);
  });

  test('GIVEN the secret key WHEN any request is sent THEN it never travels, only its signature does', async () => {
    await upload();
    expect(model.rawHeaders.join('\n')).not.toContain(KEYS.SPACES_SECRET_ACCESS_KEY);
  });
});

describe('partSizeBytes', () => {
  test.each([
    [12 * MiB, 5, 5 * MiB],
    [12 * MiB, 1, 5 * MiB],
    [100 * 1024 * MiB, 32, 32 * MiB],
    [500 * 1024 * MiB, 32, 52 * MiB],
  ])('GIVEN %d bytes and %d MiB asked WHEN sizing parts THEN %d bytes, at most 10,000 parts', (bytes, asked, expected) => {
    const size = partSizeBytes(bytes, asked);
    expect(size).toBe(expected);
    expect(Math.ceil(bytes / size)).toBeLessThanOrEqual(10_000);
  });
});
