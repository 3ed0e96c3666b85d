/**
 * Removes the image files an owner uploaded before the current one. Terraform
 * does not run the upload's destroy-time provisioner when a new image replaces
 * the old one (create-before-destroy), so the seal step removes them once the
 * new file's import has ended. Only objects whose metadata names the same owner
 * are removed: never a file somebody else put in the folder.
 */
import { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { OWNER_METADATA } from './owner';
import type { SpacesLocation } from '../clouds/digitalocean/spaces-client';

export async function removeEarlierGenerations(client: S3Client, location: SpacesLocation, owner: string, uploadedAt: Date): Promise<string[]> {
  const folder = location.key.slice(0, location.key.lastIndexOf('/') + 1);
  const removed: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: folder, Delimiter: '/', ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key === location.key) continue;
      if (object.LastModified && object.LastModified.getTime() >= uploadedAt.getTime()) continue;
      const head = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: object.Key }));
      if (head.Metadata?.[OWNER_METADATA] !== owner) continue;
      await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: object.Key }));
      removed.push(object.Key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return removed;
}
