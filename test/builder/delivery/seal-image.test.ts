import { S3Client } from '@aws-sdk/client-s3';
import { imagesApi, TransientApiError } from '../../../src/builder/clouds/digitalocean/images-api';
import { SpacesLocation, spacesClient } from '../../../src/builder/clouds/digitalocean/spaces-client';
import { InterruptedError } from '../../../src/builder/common/errors';
import { OWNER_METADATA } from '../../../src/builder/delivery/owner';
import { sealImage } from '../../../src/builder/delivery/seal-image';
import { ImportFailedError } from '../../../src/builder/delivery/watch-import';
import { DigitalOceanApiStub } from '../support/digitalocean-api-stub';
import { SpacesModel } from '../support/spaces-model';

const KEYS = { SPACES_ACCESS_KEY_ID: 'MODELACCESSKEY', SPACES_SECRET_ACCESS_KEY: 'model-secret' };
const TOKEN = 'dop_v1_stub_token_do_not_print';
const KEY = 'docker-vm/abc.qcow2.gz';
const NAME = 'docker-vm-abc';
const OWNER = 'stack/Image';

let model: SpacesModel;
let stub: DigitalOceanApiStub;
let client: S3Client;
let loc: SpacesLocation;

beforeEach(async () => {
  model = await new SpacesModel().start();
  stub = await new DigitalOceanApiStub().start();
  loc = { endpoint: model.endpoint, region: 'nyc3', bucket: model.bucket, key: KEY };
  client = spacesClient(loc, KEYS);
  model.seed(KEY, { body: Buffer.from('image bytes'), acl: 'public-read', metadata: { [OWNER_METADATA]: OWNER } });
});
afterEach(async () => {
  client.destroy();
  await stub.stop();
  await model.stop();
});

function seal(options: { signal?: AbortSignal; lines?: string[]; timeoutSeconds?: number; startGraceSeconds?: number } = {}) {
  return sealImage({
    location: loc,
    url: model.objectUrl(KEY),
    imageName: NAME,
    file: 'docker-vm-artifacts/abc-convert.qcow2.gz',
    owner: OWNER,
    timeoutSeconds: options.timeoutSeconds ?? 60,
    startGraceSeconds: options.startGraceSeconds ?? 60,
    uploadResource: 'terraform_data.Image_Upload_1234',
  }, {
    client,
    api: imagesApi(stub.url, TOKEN),
    signal: options.signal ?? new AbortController().signal,
    report: line => options.lines?.push(line),
    pollMs: 100,
  });
}

async function anonymousStatus(): Promise<number> {
  return (await fetch(model.objectUrl(KEY), { method: 'HEAD' })).status;
}

describe('sealImage', () => {
  test('GIVEN an import that downloads the file WHEN sealing THEN the download got it, and only afterwards the file turned private', async () => {
    // GIVEN
    stub.downloadAfterMs = 1500;
    const lines: string[] = [];
    const sealing = seal({ lines });
    stub.startImport(NAME, model.objectUrl(KEY));
    // WHEN
    await sealing;
    // THEN
    expect(stub.downloads).toEqual([expect.objectContaining({ status: 200, bytes: 11 })]);
    const madePrivate = model.calls.find(c => c.op === 'PutObjectAcl' && c.acl === 'private')!;
    expect(madePrivate.at).toBeGreaterThanOrEqual(stub.downloads[0].at);
    expect(await anonymousStatus()).toBe(403);
    expect(lines).toContainEqual(expect.stringMatching(/DigitalOcean imported docker-vm-abc as image \d+/));
    expect(lines).toContainEqual(expect.stringMatching(/is private again \(it was public for .+\); anonymous requests get 403/));
    expect(stub.authorizations.every(a => a === `Bearer ${TOKEN}`)).toBe(true);
  });

  test('GIVEN DigitalOcean deletes the import with an error_message WHEN sealing THEN the user gets that message and advice, and the file is private', async () => {
    // GIVEN an import whose download is refused
    model.objects.get(KEY)!.acl = 'public-read';
    stub.add({ name: NAME, status: 'deleted', error_message: 'image has an unsupported format (ext2)' });
    // WHEN
    const failure = await seal().catch((e: Error) => e);
    // THEN
    expect(failure).toBeInstanceOf(ImportFailedError);
    expect((failure as Error).message).toMatch(/DigitalOcean could not import docker-vm-abc \(image \d+ is deleted\): image has an unsupported format \(ext2\)\. The image file was made private again\. Check the file with `cdktf-docker-vm check docker-vm-artifacts\/abc-convert\.qcow2\.gz`/);
    expect((failure as Error).message).not.toContain(TOKEN);
    expect(await anonymousStatus()).toBe(403);
  });

  test('GIVEN no import of the file and the image already there WHEN the grace ends THEN it seals without waiting for the timeout', async () => {
    // GIVEN an image of this name imported an hour ago (an upgrade re-uploaded the same file)
    stub.add({ name: NAME, status: 'available', created_at: new Date(Date.now() - 3600_000).toISOString() });
    const lines: string[] = [];
    // WHEN
    await seal({ lines, startGraceSeconds: 1, timeoutSeconds: 600 });
    // THEN
    expect(lines).toContainEqual(expect.stringMatching(/no import of this file started, and docker-vm-abc is already image \d+: nothing needs the file public/));
    expect(await anonymousStatus()).toBe(403);
  });

  test('GIVEN no import ever starts WHEN the timeout passes THEN the error says so and the file is private all the same', async () => {
    const failure = await seal({ timeoutSeconds: 2, startGraceSeconds: 1 }).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(/no DigitalOcean import of docker-vm-abc started within 2 s; the image file was made private again/);
    expect(await anonymousStatus()).toBe(403);
  });

  test('GIVEN the API answers 503 twice WHEN sealing THEN it asks again and sees the import end', async () => {
    stub.failNextLists = 2;
    stub.downloadAfterMs = 200;
    stub.startImport(NAME, model.objectUrl(KEY));
    await seal();
    expect(stub.authorizations.length).toBeGreaterThan(2);
    expect(await anonymousStatus()).toBe(403);
  });

  test('GIVEN an import in progress WHEN interrupted THEN it throws InterruptedError after making the file private', async () => {
    // GIVEN an import that never ends
    stub.add({ name: NAME, status: 'pending' });
    const controller = new AbortController();
    const sealing = seal({ signal: controller.signal });
    await new Promise(resolve => setTimeout(resolve, 500));
    // WHEN
    controller.abort();
    // THEN
    await expect(sealing).rejects.toThrow(InterruptedError);
    expect(await anonymousStatus()).toBe(403);
  });

  test('GIVEN a file made private by an earlier failed import WHEN a new import starts THEN the file is public again for it, then private', async () => {
    // GIVEN
    model.objects.get(KEY)!.acl = 'private';
    stub.downloadAfterMs = 1000;
    const lines: string[] = [];
    const sealing = seal({ lines });
    stub.startImport(NAME, model.objectUrl(KEY));
    // WHEN
    await sealing;
    // THEN
    expect(stub.downloads[0].status).toBe(200);
    expect(model.opsOn(KEY).filter(op => op.startsWith('PutObjectAcl'))).toEqual(['PutObjectAcl:public-read', 'PutObjectAcl:private']);
    expect(lines).toContainEqual(expect.stringMatching(/is public again for this import/));
    expect(await anonymousStatus()).toBe(403);
  });

  test('GIVEN older files of this owner, of another owner and in another folder WHEN sealed THEN only this owner\'s older files are removed', async () => {
    // GIVEN
    const hourAgo = new Date(Date.now() - 3600_000);
    model.seed('docker-vm/old.qcow2.gz', { body: Buffer.from('old'), metadata: { [OWNER_METADATA]: OWNER }, lastModified: hourAgo });
    model.seed('docker-vm/theirs.qcow2.gz', { body: Buffer.from('theirs'), metadata: { [OWNER_METADATA]: 'other/Image' }, lastModified: hourAgo });
    model.seed('docker-vm/unlabelled.qcow2.gz', { body: Buffer.from('user file'), lastModified: hourAgo });
    model.seed('other/old.qcow2.gz', { body: Buffer.from('old'), metadata: { [OWNER_METADATA]: OWNER }, lastModified: hourAgo });
    stub.add({ name: NAME, status: 'available' });
    // WHEN
    await seal();
    // THEN
    expect([...model.objects.keys()].sort()).toEqual(['docker-vm/abc.qcow2.gz', 'docker-vm/theirs.qcow2.gz', 'docker-vm/unlabelled.qcow2.gz', 'other/old.qcow2.gz']);
  });

  test('GIVEN the file was deleted outside Terraform WHEN sealing THEN the error says how to upload it again', async () => {
    model.objects.delete(KEY);
    await expect(seal()).rejects.toThrow(/not in the bucket \(deleted outside Terraform\?\); upload it again: terraform apply -replace=terraform_data\.Image_Upload_1234/);
  });
});

describe('imagesApi', () => {
  test('GIVEN more images than a page holds WHEN looking for a name THEN every page is read', async () => {
    stub.pageSize = 2;
    for (let i = 0; i < 5; i++) stub.add({ name: `other-${i}`, status: 'available' });
    const wanted = stub.add({ name: NAME, status: 'available' });
    await expect(imagesApi(stub.url, TOKEN).imagesNamed(NAME)).resolves.toEqual([expect.objectContaining({ id: wanted.id })]);
  });

  test('GIVEN a refused token WHEN listing THEN the error says which variable to check and not the token', async () => {
    stub.token = 'the-right-token';
    const failure = await imagesApi(stub.url, TOKEN).imagesNamed(NAME).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(/DigitalOcean refused the API token \(HTTP 401\) when listing images; check that DIGITALOCEAN_TOKEN holds a current token/);
    expect((failure as Error).message).not.toContain(TOKEN);
  });

  test('GIVEN an API nobody answers WHEN listing THEN it is a transient error naming the address', async () => {
    const gone = await new DigitalOceanApiStub().start();
    await gone.stop();
    const failure = await imagesApi(gone.url, TOKEN).imagesNamed(NAME).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(TransientApiError);
    expect((failure as Error).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});
