import { CustomImage as PrebuiltCustomImage } from '@cdktf/provider-digitalocean/lib/custom-image';
import { TerraformOutput, TerraformStack, Token } from 'cdktf';
import { asPrebuilt, synthesize } from './prebuilt';
import { CustomImageResource, CustomImageResourceProps } from '../../../../src';
import { TerraformData } from '../../../../src/constructs/terraform/terraform-data';

/** The props with meta-arguments, made in the stack they go in. */
function allProps(stack: TerraformStack): CustomImageResourceProps {
  const upload = new TerraformData(stack, 'Upload', { input: { step: 'upload' } });
  return {
    name: 'docker-vm-0123456789ab',
    url: 'https://my-images.nyc3.digitaloceanspaces.com/docker-vm/abc.qcow2.gz',
    regions: ['nyc3', 'ams3'],
    distribution: 'Debian',
    description: 'built by cdktf-docker-vm',
    tags: ['web'],
    timeouts: { create: '90m' },
    createBeforeDestroy: true,
    dependsOn: [upload],
  };
}

const fewestProps = (): CustomImageResourceProps => ({ name: 'app', url: 'https://example.com/app.qcow2.gz', regions: ['nyc3'] });

describe('CustomImageResource', () => {
  test.each([
    ['every argument the library sets', allProps],
    ['only the required arguments', fewestProps],
    ['an empty timeouts block', () => ({ ...fewestProps(), timeouts: {} })],
  ])('synthesizes the same digitalocean_custom_image as the prebuilt binding, with %s', (_name, props) => {
    // GIVEN the same props, once for each binding
    const declare = (make: (stack: TerraformStack, p: CustomImageResourceProps) => { id: string; imageId: number }) => (stack: TerraformStack) => {
      const image = make(stack, props(stack));
      new TerraformOutput(stack, 'id', { value: image.id });
      new TerraformOutput(stack, 'image_id', { value: Token.asString(image.imageId) });
    };
    // WHEN
    const prebuilt = synthesize(declare((stack, p) => new PrebuiltCustomImage(stack, 'Image', asPrebuilt(p))));
    const ours = synthesize(declare((stack, p) => new CustomImageResource(stack, 'Image', p)));
    // THEN
    expect(ours.json).toEqual(prebuilt.json);
    expect(ours.hcl).toEqual(prebuilt.hcl);
  });

  test('reads image_id as a number token', () => {
    // GIVEN
    const { json } = synthesize(stack => {
      const image = new CustomImageResource(stack, 'Image', fewestProps());
      // WHEN
      expect(Token.isUnresolved(image.imageId)).toBe(true);
      new TerraformOutput(stack, 'image_id', { value: image.imageId });
    });
    // THEN
    expect(json.output).toEqual({ image_id: { value: '${digitalocean_custom_image.Image.image_id}' } });
  });
});
