/** The image file's ACL: public-read only while DigitalOcean downloads it. */
import { GetObjectAclCommand, PutObjectAclCommand, S3Client } from '@aws-sdk/client-s3';
import type { SpacesLocation } from '../clouds/digitalocean/spaces-client';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

export async function isPublic(client: S3Client, location: SpacesLocation): Promise<boolean> {
  const acl = await client.send(new GetObjectAclCommand({ Bucket: location.bucket, Key: location.key }));
  return (acl.Grants ?? []).some(g => g.Grantee?.URI === ALL_USERS && (g.Permission === 'READ' || g.Permission === 'FULL_CONTROL'));
}

export async function setAcl(client: S3Client, location: SpacesLocation, acl: 'private' | 'public-read'): Promise<void> {
  await client.send(new PutObjectAclCommand({ Bucket: location.bucket, Key: location.key, ACL: acl }));
}
