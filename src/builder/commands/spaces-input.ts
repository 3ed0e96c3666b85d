/** The part of the delivery commands' input that says where the image file lives. */
import { z } from 'zod';
import { SpacesLocation } from '../clouds/digitalocean/spaces-client';

export const spacesLocationShape = {
  endpoint: z.url({ protocol: /^https?$/ }),
  region: z.string().min(1),
  bucket: z.string().min(3).max(63),
  key: z.string().min(1).max(1024),
};

export function locationOf(input: { endpoint: string; region: string; bucket: string; key: string }): SpacesLocation {
  return { endpoint: input.endpoint.replace(/\/+$/, ''), region: input.region, bucket: input.bucket, key: input.key };
}
