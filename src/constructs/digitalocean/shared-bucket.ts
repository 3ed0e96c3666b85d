import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { SpacesBucketResource } from './bindings/spaces-bucket-resource';

interface CreatedBucket {
  readonly bucket: SpacesBucketResource;
  readonly region: string;
  readonly createdBy: string;
}

// Per stack: the buckets CustomImages create, by name. Two resources for one
// bucket would synthesize and then fail at apply (the name is taken).
const created = new WeakMap<TerraformStack, Map<string, CreatedBucket>>();

/**
 * The bucket named `name` in `region` for `scope`: the one another CustomImage in
 * the stack already creates, else a new one made by `create`. A second
 * bucket of the same name in another region is an error.
 */
export function bucketFor(
  scope: Construct, name: string, region: string, create: () => SpacesBucketResource,
): { bucket: SpacesBucketResource; shared: boolean } {
  if (Token.isUnresolved(name)) return { bucket: create(), shared: false };
  const stack = TerraformStack.of(scope);
  const byName = created.get(stack) ?? new Map<string, CreatedBucket>();
  created.set(stack, byName);
  const existing = byName.get(name);
  if (existing) {
    if (existing.region !== region) {
      throw new Error(`bucketName ${name} is already created in region ${existing.region} by ${existing.createdBy}, and ${scope.node.path} wants it in ${region}; ` +
        'a Spaces bucket name is global: give this one another bucketName, or the same bucketRegion');
    }
    return { bucket: existing.bucket, shared: true };
  }
  const bucket = create();
  byName.set(name, { bucket, region, createdBy: scope.node.path });
  return { bucket, shared: false };
}
