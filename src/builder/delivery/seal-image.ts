/**
 * The seal step: runs beside DigitalOcean's import of the uploaded file, waits
 * until the import ends (success or failure), then makes the file private and
 * removes the owner's earlier image files. The file is public only from the end
 * of its upload to the end of its import.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { removeEarlierGenerations } from './earlier-generations';
import { isPublic, setAcl } from './object-acl';
import { watchImport } from './watch-import';
import { ImagesApi } from '../clouds/digitalocean/images-api';
import { SpacesError, SpacesLocation, spacesError } from '../clouds/digitalocean/spaces-client';
import { BuilderError } from '../common/errors';
import { formatSeconds } from '../common/progress';

export interface SealRequest {
  readonly location: SpacesLocation;
  /** The URL DigitalOcean imports from. */
  readonly url: string;
  /** The local image file (relative to the stack's directory), for advice. */
  readonly file?: string;
  readonly imageName: string;
  readonly owner: string;
  readonly timeoutSeconds: number;
  readonly startGraceSeconds: number;
  /** The Terraform address of the upload, for the advice when the file is gone. */
  readonly uploadResource: string;
}

export interface SealOptions {
  readonly client: S3Client;
  readonly api: ImagesApi;
  readonly signal: AbortSignal;
  readonly report: (line: string) => void;
  readonly pollMs?: number;
}

export async function sealImage(request: SealRequest, options: SealOptions): Promise<void> {
  const { client, report } = options;
  const { location } = request;
  const uploadedAt = await uploadTime(request, client);
  let publicSince = uploadedAt;
  if (!await isPublic(client, location).catch(e => { throw spacesError('reading the image file\'s ACL', location, e); })) {
    // An earlier import of this same file failed and sealed it; this import needs to download it too.
    await setAcl(client, location, 'public-read').catch(e => { throw spacesError('making the image file readable for the import', location, e); });
    publicSince = new Date();
    report(`${request.url} is public again for this import (an earlier import of it ended and made it private)`);
  }

  let failure: unknown;
  try {
    const end = await watchImport({
      imageName: request.imageName,
      file: request.file,
      uploadedAt,
      timeoutSeconds: request.timeoutSeconds,
      startGraceSeconds: request.startGraceSeconds,
    }, {
      api: options.api, signal: options.signal, report, pollMs: options.pollMs,
    });
    report(end.kind === 'imported'
      ? `DigitalOcean imported ${request.imageName} as image ${end.image.id}`
      : `no import of this file started, and ${request.imageName} is already image ${end.existing.id}: nothing needs the file public`);
  } catch (e) {
    failure = e;
  }

  try {
    await setAcl(client, location, 'private');
  } catch (e) {
    const still = new SpacesError(`${request.url} is STILL PUBLIC: ${spacesError('making it private', location, e).message}. ` +
      `Make it private by hand (aws s3api put-object-acl --endpoint-url ${location.endpoint} --bucket ${location.bucket} --key ${location.key} --acl private) ` +
      'or run cdktf deploy again');
    throw failure instanceof BuilderError ? new SpacesError(`${failure.message}\n${still.message}`) : still;
  }
  report(`${request.url} is private again (it was public for ${formatSeconds((Date.now() - publicSince.getTime()) / 1000)}); anonymous requests get 403`);

  try {
    const removed = await removeEarlierGenerations(client, location, request.owner, uploadedAt);
    if (removed.length) report(`removed ${removed.length} earlier image file${removed.length === 1 ? '' : 's'} of this image: ${removed.join(', ')}`);
  } catch (e) {
    report(`warning: earlier image files were not removed (${spacesError('listing them', location, e).message}); the next deploy tries again`);
  }
  if (failure) throw failure;
}

async function uploadTime(request: SealRequest, client: S3Client): Promise<Date> {
  const { location } = request;
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return head.LastModified ?? new Date();
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) {
      throw new SpacesError(`the image file s3://${location.bucket}/${location.key} is not in the bucket (deleted outside Terraform?); ` +
        `upload it again: terraform apply -replace=${request.uploadResource} in the stack's directory (cdktf.out/stacks/STACK)`);
    }
    throw spacesError('reading the uploaded image file', location, e);
  }
}
