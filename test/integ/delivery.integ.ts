/**
 * The image file's public window, with the real Terraform CLI and the real
 * builder commands: the upload and seal `terraform_data` that CustomImage
 * declares (imageDelivery), a Spaces model and a DigitalOcean API stand-in on
 * 127.0.0.1. A `terraform_data` stands in for `digitalocean_custom_image`: like
 * the provider it asks the API to import the URL and waits for the end; the
 * stand-in API downloads the URL anonymously, as DigitalOcean does. (The real
 * provider cannot be downloaded here.)
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { App, DataResource, LocalBackend, TerraformStack } from 'cdktf';
import { Terraform } from './support/terraform';
import { withSpacesClient } from '../../src/builder/clouds/digitalocean/spaces-client';
import { OWNER_METADATA } from '../../src/builder/delivery/owner';
import { imageDelivery } from '../../src/constructs/digitalocean/image-delivery';
import { builderCliPath } from '../../src/constructs/private/builder-cli-path';
import { DigitalOceanApiStub } from '../builder/support/digitalocean-api-stub';
import { SpacesModel } from '../builder/support/spaces-model';
import { waitFor } from '../builder/support/wait-for';

const SECRETS = { SPACES_ACCESS_KEY_ID: 'MODELACCESSKEY', SPACES_SECRET_ACCESS_KEY: 'marker-spaces-secret-71d2', DIGITALOCEAN_TOKEN: 'marker-do-token-5be9' };

/** What the provider does on create: POST /v2/images, then wait for available (or fail on deleted). */
const IMPORT_SCRIPT = `
const api = process.env.DIGITALOCEAN_API_URL;
const headers = { authorization: 'Bearer ' + process.env.DIGITALOCEAN_TOKEN, 'content-type': 'application/json' };
(async () => {
  const created = await (await fetch(api + '/v2/images', { method: 'POST', headers, body: JSON.stringify({ name: process.env.IMAGE_NAME, url: process.env.IMAGE_URL }) })).json();
  for (;;) {
    await new Promise(r => setTimeout(r, 200));
    const { images } = await (await fetch(api + '/v2/images?private=true&per_page=200', { headers })).json();
    const image = images.find(i => i.id === created.image.id);
    if (image.status === 'available') return;
    if (image.status === 'deleted') { console.error('Error: waiting for image to become ready: unexpected state deleted'); process.exit(1); }
  }
})();
`;

let work: string;
let model: SpacesModel;
let stub: DigitalOceanApiStub;
let fixture: string;
let importScript: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cdvm-delivery-'));
  // A real qcow2 written by qemu-img, 12 MiB of data: three 5 MiB parts.
  const raw = path.join(work, 'data.raw');
  writeFileSync(raw, randomBytes(12 * 1024 * 1024));
  fixture = path.join(work, 'disk.qcow2');
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, fixture]);
  importScript = path.join(work, 'import.js');
  writeFileSync(importScript, IMPORT_SCRIPT);
  model = await new SpacesModel().start();
  stub = await new DigitalOceanApiStub().start();
  stub.token = SECRETS.DIGITALOCEAN_TOKEN;
  stub.downloadAfterMs = 3000;
});

afterAll(async () => {
  await stub?.stop();
  await model?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function synthStack(generation: string, stackName = 'delivery'): string {
  const outdir = path.join(work, 'cdktf.out');
  const app = new App({ outdir });
  const stack = new TerraformStack(app, stackName);
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  const artifact = new DataResource(stack, 'Artifact', {});
  const imageName = `docker-vm-${generation}`;
  const delivery = imageDelivery(stack, {
    file: fixture,
    fileResource: artifact,
    endpointTemplate: model.endpoint,
    region: 'nyc3',
    bucket: model.bucket,
    key: `docker-vm/${generation}.qcow2`,
    imageName,
    importTimeoutMinutes: 5,
    partSizeMiB: 5,
  });
  new DataResource(stack, 'Import', {
    triggersReplace: { url: delivery.url },
    dependsOn: [delivery.upload],
    lifecycle: { createBeforeDestroy: true },
    provisioners: [{ type: 'local-exec', interpreter: ['node', importScript], command: 'import', environment: { IMAGE_NAME: imageName, IMAGE_URL: delivery.url } }],
  });
  app.synth();
  return path.join(outdir, 'stacks', stackName);
}

function terraform(stackDir: string): Terraform {
  return new Terraform(stackDir, { ...SECRETS, DIGITALOCEAN_API_URL: stub.url, CDKTF_DOCKER_VM_SEAL_POLL_MS: '250' });
}

async function anonymousHead(url: string): Promise<number> {
  return (await fetch(url, { method: 'HEAD' })).status;
}

const apply = ['apply', '-auto-approve', '-no-color', '-input=false'];

describe('GIVEN an image file uploaded for DigitalOcean to import', () => {
  let stackDir: string;

  test('WHEN applied THEN the import downloads it, and afterwards it is private (403) with a clean plan and no secret in state or output', async () => {
    // GIVEN
    stackDir = synthStack('one');
    const tf = terraform(stackDir);
    tf.init();
    // WHEN
    const run = await tf.runAsync(apply);
    // THEN
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const key = 'docker-vm/one.qcow2';
    const url = model.objectUrl(key);
    expect(stub.downloads).toEqual([expect.objectContaining({ url, status: 200, bytes: readFileSync(fixture).length })]);
    expect(model.objects.get(key)!.body.equals(readFileSync(fixture))).toBe(true);
    expect(model.objects.get(key)!.metadata[OWNER_METADATA]).toBe('delivery');
    expect(model.opsOn(key).filter(op => op === 'UploadPart')).toHaveLength(3);
    expect(await anonymousHead(url)).toBe(403);
    expect((await fetch(url)).status).toBe(403);
    expect(run.stdout).toMatch(/upload: done: [\d.]+ MiB in/);
    expect(run.stdout).toMatch(/seal: .* is private again \(it was public for [\d.]+ s\)/);
    const plan = await tf.runAsync(['plan', '-no-color', '-input=false', '-detailed-exitcode']);
    expect(plan.status).toBe(0);
    const state = readFileSync(path.join(stackDir, 'terraform.tfstate'), 'utf8');
    expect(state).toContain('"docker-vm-one"');
    for (const secret of Object.values(SECRETS).slice(1)) {
      expect({ inState: state.includes(secret), inOutput: (run.stdout + run.stderr).includes(secret) }).toEqual({ inState: false, inOutput: false });
    }
    const opened = model.calls.find(c => c.op === 'CompleteMultipartUpload' && c.key === key)!.at;
    const closed = model.calls.find(c => c.op === 'PutObjectAcl' && c.key === key && c.acl === 'private')!.at;
    process.stdout.write(`delivery.integ: public window ${((closed - opened) / 1000).toFixed(1)} s (import download at +${((stub.downloads[0].at - opened) / 1000).toFixed(1)} s)\n`);
    expect(closed).toBeGreaterThan(stub.downloads[0].at);
  });

  test('WHEN a new image replaces it THEN the new file is imported and private, and the earlier file is removed', async () => {
    // GIVEN generation one applied; WHEN generation two is synthesized and applied
    stackDir = synthStack('two');
    const tf = terraform(stackDir);
    const run = await tf.runAsync(apply);
    // THEN
    expect(run.status).toBe(0);
    expect(stub.downloads.at(-1)).toEqual(expect.objectContaining({ url: model.objectUrl('docker-vm/two.qcow2'), status: 200 }));
    expect([...model.objects.keys()]).toEqual(['docker-vm/two.qcow2']);
    expect(await anonymousHead(model.objectUrl('docker-vm/two.qcow2'))).toBe(403);
    expect(run.stdout).toMatch(/removed 1 earlier image file of this image: docker-vm\/one\.qcow2/);
    expect((await tf.runAsync(['plan', '-no-color', '-input=false', '-detailed-exitcode'])).status).toBe(0);
  });

  test('WHEN the stack is destroyed THEN the file goes and no unfinished upload is left', async () => {
    const run = await terraform(stackDir).runAsync(['destroy', '-auto-approve', '-no-color', '-input=false']);
    expect(run.status).toBe(0);
    expect(model.objects.size).toBe(0);
    expect(model.uploads.size).toBe(0);
  });
});

describe('GIVEN an apply interrupted while DigitalOcean downloads the file', () => {
  test('WHEN Ctrl-C stops it inside the window THEN the file may stay public, and the next apply makes it private', async () => {
    // GIVEN an import that takes a while to download
    stub.downloadAfterMs = 20_000;
    const key = 'docker-vm/interrupted.qcow2';
    try {
      const stackDir = synthStack('interrupted', 'interrupted');
      const tf = terraform(stackDir);
      tf.init();
      const { child, done } = tf.start(apply);
      let ended = false;
      void done.then(() => { ended = true; });
      await waitFor(() => ended || model.calls.some(c => c.op === 'GetObjectAcl' && c.key === key), 300_000);
      expect(ended).toBe(false);
      // WHEN the seal is watching the import, terraform gets SIGINT (Ctrl-C)
      child.kill('SIGINT');
      const interrupted = await done;
      expect(interrupted.status).not.toBe(0);
      const afterInterrupt = await anonymousHead(model.objectUrl(key));
      process.stdout.write(`delivery.integ: after Ctrl-C inside the window the file answers ${afterInterrupt} to anonymous HEAD\n`);
      // THEN the next apply runs the seal again and closes the window
      stub.downloadAfterMs = 1000;
      const again = await tf.runAsync(apply);
      expect(again.status).toBe(0);
      expect(await anonymousHead(model.objectUrl(key))).toBe(403);
      expect((await tf.runAsync(['plan', '-no-color', '-input=false', '-detailed-exitcode'])).status).toBe(0);
    } finally {
      stub.downloadAfterMs = 3000;
    }
  });
});

describe('GIVEN upload-image sending slow parts', () => {
  test('WHEN the process gets SIGINT (Ctrl-C) THEN it exits 130 and the bucket lists no unfinished upload and no object', async () => {
    // GIVEN
    model.partDelayMs = 5000;
    const key = 'docker-vm/sigint.qcow2';
    const input = { endpoint: model.endpoint, region: 'nyc3', bucket: model.bucket, key, file: fixture, owner: 'sigint', partSizeMiB: 5 };
    try {
      const child = spawn(process.execPath, [builderCliPath(), 'upload-image'], {
        env: { ...process.env, ...SECRETS, CDKTF_DOCKER_VM_INPUT: JSON.stringify(input) }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', c => { stderr += c; });
      const exited = new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
      await waitFor(() => model.calls.some(c => c.op === 'UploadPart' && c.key === key), 120_000);
      // WHEN
      child.kill('SIGINT');
      // THEN
      expect(await exited).toBe(130);
      expect(stderr).toMatch(/interrupted while uploading .*; the unfinished upload was aborted, no parts are left in the bucket/);
      const listed = await listUploadsOf(key);
      expect(listed).toEqual([]);
      expect(model.objects.has(key)).toBe(false);
    } finally {
      model.partDelayMs = 0;
    }
  });
});

describe('GIVEN an import DigitalOcean refuses', () => {
  test('WHEN applied THEN the apply fails with DigitalOcean\'s reason and the file is private', async () => {
    // GIVEN the stand-in API deletes every import after its download, with a reason
    stub.refuseImportsWith = 'the image has an unsupported format';
    try {
      const stackDir = synthStack('bad', 'refused');
      const tf = terraform(stackDir);
      tf.init();
      // WHEN
      const run = await tf.runAsync(apply);
      // THEN
      expect(run.status).not.toBe(0);
      // Terraform wraps provisioner output at 80 columns
      expect(run.stderr.replace(/\s+/g, ' ')).toMatch(/DigitalOcean could not import docker-vm-bad \(image \d+ is deleted\): the image has an unsupported format/);
      expect(await anonymousHead(model.objectUrl('docker-vm/bad.qcow2'))).toBe(403);
    } finally {
      stub.refuseImportsWith = undefined;
    }
  });
});


/** ListMultipartUploads through the SDK, as a user would check for billed leftovers. */
async function listUploadsOf(key: string): Promise<string[]> {
  const location = { endpoint: model.endpoint, region: 'nyc3', bucket: model.bucket, key };
  return withSpacesClient(location, async client => {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: model.bucket, Prefix: key }));
    return (page.Uploads ?? []).map(u => u.UploadId!);
  }, SECRETS);
}
