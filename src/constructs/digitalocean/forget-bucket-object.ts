import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

/** The construct id under which earlier versions declared the image file as a `digitalocean_spaces_bucket_object`. */
const EARLIER_OBJECT_ID = 'Object';

// Per stack: the removed blocks, since one override holds them all.
const removedBlocks = new WeakMap<TerraformStack, object[]>();

/**
 * Earlier versions uploaded the image file with a `digitalocean_spaces_bucket_object`.
 * A `removed` block with `destroy = false` makes Terraform forget that resource
 * rather than delete the file while the new upload writes the same key, so an
 * upgrade needs no manual state surgery. Where the resource is not in the state
 * the block does nothing (Terraform >= 1.7, OpenTofu >= 1.7).
 */
export function forgetEarlierBucketObject(image: Construct): void {
  const stack = TerraformStack.of(image);
  // The id the earlier resource had: same path, so the same logical id. The construct itself synthesizes nothing.
  const earlier = new Construct(image, EARLIER_OBJECT_ID);
  const blocks = removedBlocks.get(stack) ?? [];
  blocks.push({ from: `digitalocean_spaces_bucket_object.${stack.getLogicalId(earlier.node)}`, lifecycle: { destroy: false } });
  removedBlocks.set(stack, blocks);
  stack.addOverride('removed', blocks);
}
