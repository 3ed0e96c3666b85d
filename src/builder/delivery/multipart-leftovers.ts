import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import type { SpacesLocation } from '../clouds/digitalocean/spaces-client';

/** Aborts every unfinished multipart upload of exactly this key; returns how many. Parts of aborted uploads are not billed. */
export async function abortMultipartUploadsOf(client: S3Client, location: SpacesLocation): Promise<number> {
  let aborted = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await client.send(new ListMultipartUploadsCommand({
      Bucket: location.bucket, Prefix: location.key, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker,
    }));
    for (const u of page.Uploads ?? []) {
      if (u.Key !== location.key || !u.UploadId) continue;
      await client.send(new AbortMultipartUploadCommand({ Bucket: location.bucket, Key: u.Key, UploadId: u.UploadId }));
      aborted++;
    }
    if (!page.IsTruncated) return aborted;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
