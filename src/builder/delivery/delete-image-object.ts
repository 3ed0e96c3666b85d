/** The upload's destroy step: the image file and any unfinished upload of it go. */
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { abortMultipartUploadsOf } from './multipart-leftovers';
import { SpacesLocation, spacesError } from '../clouds/digitalocean/spaces-client';

export async function deleteImageObject(client: S3Client, location: SpacesLocation, report: (line: string) => void): Promise<void> {
  try {
    await abortMultipartUploadsOf(client, location);
    // S3 answers 204 for a key that is already gone, so destroy after a manual delete still succeeds.
    await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }));
  } catch (e) {
    throw spacesError(`deleting s3://${location.bucket}/${location.key}`, location, e);
  }
  report(`deleted s3://${location.bucket}/${location.key}`);
}
