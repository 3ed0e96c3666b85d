import { SpacesBucket as PrebuiltSpacesBucket } from '@cdktf/provider-digitalocean/lib/spaces-bucket';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { synthesize } from './prebuilt';
import { SpacesBucketResource, SpacesBucketResourceProps } from '../../../../src';

describe('SpacesBucketResource', () => {
  test.each([
    ['every argument the library sets', { name: 'my-images', region: 'ams3', acl: 'private' }],
    ['only the required arguments', { name: 'my-images', region: 'nyc3' }],
  ])('synthesizes the same digitalocean_spaces_bucket as the prebuilt binding, with %s', (_name, props: SpacesBucketResourceProps) => {
    // GIVEN the same props, once for each binding
    const declare = (make: (stack: TerraformStack) => { id: string }) => (stack: TerraformStack) => {
      new TerraformOutput(stack, 'id', { value: make(stack).id });
    };
    // WHEN
    const prebuilt = synthesize(declare(stack => new PrebuiltSpacesBucket(stack, 'Bucket', props)));
    const ours = synthesize(declare(stack => new SpacesBucketResource(stack, 'Bucket', props)));
    // THEN
    expect(ours.json).toEqual(prebuilt.json);
    expect(ours.hcl).toEqual(prebuilt.hcl);
  });
});
