/**
 * Uploads the image file to Spaces for DigitalOcean to import: multipart for
 * every size (Spaces refuses single PUTs over 5 GB), failed parts sent again,
 * and no parts left behind to be billed when the upload fails or is interrupted.
 * The object is public-read from the moment it is complete until the seal step
 * (seal-image.ts) makes it private again.
 */
import { createReadStream, statSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { abortMultipartUploadsOf } from './multipart-leftovers';
import { OWNER_METADATA } from './owner';
import { partSizeBytes } from './part-size';
import { TransferMeter } from './transfer-meter';
import { SpacesLocation, spacesError } from '../clouds/digitalocean/spaces-client';
import { InterruptedError } from '../common/errors';
import { requireFile } from '../input-checks';

/** Parts in flight at once; memory use is about this many parts. */
const QUEUE_SIZE = 4;

export interface UploadRequest {
  readonly file: string;
  readonly location: SpacesLocation;
  /** Who the object belongs to (the construct's path), stored as object metadata. */
  readonly owner: string;
  readonly partSizeMiB: number;
}

export interface UploadOptions {
  readonly client: S3Client;
  readonly signal: AbortSignal;
  readonly report: (line: string) => void;
  /** How often progress is reported. @default 10 s */
  readonly reportEveryMs?: number;
}

export async function uploadImage(request: UploadRequest, options: UploadOptions): Promise<{ bytes: number }> {
  const { location, file } = request;
  requireFile(file, 'the image file', 'the convert stage writes it: run cdktf deploy again');
  const bytes = statSync(file).size;
  const { client, signal, report } = options;
  const doing = `uploading ${file} to s3://${location.bucket}/${location.key}`;

  try {
    const stale = await abortMultipartUploadsOf(client, location);
    if (stale) report(`aborted ${stale} unfinished upload${stale === 1 ? '' : 's'} of ${location.key} left by an earlier run`);
  } catch (e) {
    // Clean-up only: a store that cannot list unfinished uploads can still take this one.
    if ((e as Error).name !== 'NotImplemented') throw spacesError(`${doing} (listing unfinished uploads)`, location, e);
    report('the store cannot list unfinished uploads (NotImplemented), so none left by an earlier run are aborted');
  }

  const partSize = partSizeBytes(bytes, request.partSizeMiB);
  const upload = new Upload({
    client,
    params: {
      Bucket: location.bucket,
      Key: location.key,
      Body: createReadStream(file),
      ACL: 'public-read',
      ContentType: 'application/octet-stream',
      Metadata: { [OWNER_METADATA]: request.owner },
    },
    partSize,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  const meter = new TransferMeter(bytes);
  let lastReport = 0;
  const every = options.reportEveryMs ?? 10_000;
  upload.on('httpUploadProgress', p => {
    meter.update(p.loaded ?? 0);
    if (Date.now() - lastReport >= every) {
      lastReport = Date.now();
      report(meter.describe());
    }
  });
  const onAbort = () => void upload.abort().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  report(`${file} (${meter.totalText}) to ${location.endpoint}, bucket ${location.bucket}, key ${location.key}, parts of ${partSize / 1024 / 1024} MiB`);
  try {
    await upload.done();
  } catch (e) {
    // lib-storage aborts the multipart upload itself on a failed part; this also covers one
    // that was created while the abort was on its way.
    await abortMultipartUploadsOf(client, location).catch(() => undefined);
    if (signal.aborted) throw new InterruptedError(`interrupted while ${doing}; the unfinished upload was aborted, no parts are left in the bucket`);
    throw spacesError(doing, location, e);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  report(`done: ${meter.finish()}`);
  return { bytes };
}
