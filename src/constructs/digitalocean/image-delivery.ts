import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { spacesBucketUrl, spacesEndpointFor, spacesObjectUrl } from '../../builder/clouds/digitalocean/spaces-url';
import { builderCommand } from '../private/builder-command';
import { TerraformData } from '../terraform/terraform-data';

/** Where and what the delivery uploads. */
export interface ImageDeliveryProps {
  /** The image file, relative to the stack's directory. */
  readonly file: string;
  /** The resource that writes the file. */
  readonly fileResource: ITerraformDependable;
  readonly endpointTemplate: string;
  readonly region: string;
  readonly bucket: string;
  /** The bucket resource, when the stack creates it. */
  readonly bucketResource?: ITerraformDependable;
  readonly key: string;
  readonly imageName: string;
  readonly importTimeoutMinutes: number;
  readonly partSizeMiB: number;
}

export interface ImageDelivery {
  readonly upload: TerraformData;
  readonly seal: TerraformData;
  /** The URL DigitalOcean imports from. */
  readonly url: string;
}

/** How long the seal waits for an import to appear before it decides that nothing imports the file. */
const START_GRACE_SECONDS = 300;
/** The seal outlasts the provider's own wait for the import by this much, so it sees the end. */
const SEAL_SLACK_SECONDS = 300;

/**
 * The upload (`upload-image`, and `delete-image-object` at destroy) and the seal
 * (`seal-image`), two `terraform_data`. The import depends on the upload; the
 * seal depends only on the upload too, so it runs beside the import and makes
 * the file private when the import ends, whether it succeeded or not.
 */
export function imageDelivery(scope: Construct, props: ImageDeliveryProps): ImageDelivery {
  const endpoint = spacesEndpointFor(props.endpointTemplate, props.region);
  const location = { endpoint, region: props.region, bucket: props.bucket, key: props.key };
  // The owner names this construct, so the seal removes this image's earlier files and no one else's.
  const owner = scope.node.path;
  const upload = new TerraformData(scope, 'Upload', {
    triggersReplace: { key: props.key },
    input: { ...location, file: props.file, owner, partSizeMiB: props.partSizeMiB },
    dependsOn: [props.fileResource, ...(props.bucketResource ? [props.bucketResource] : [])],
  });
  upload.provisioners = [builderCommand('upload-image'), builderCommand('delete-image-object', 'destroy')];
  const seal = new TerraformData(scope, 'Seal', {
    triggersReplace: { key: props.key },
    input: {
      ...location,
      imageName: props.imageName,
      file: props.file,
      owner,
      uploadResource: `${upload.terraformResourceType}.${upload.friendlyUniqueId}`,
      timeoutSeconds: props.importTimeoutMinutes * 60 + SEAL_SLACK_SECONDS,
      startGraceSeconds: START_GRACE_SECONDS,
    },
    dependsOn: [upload],
  });
  seal.provisioners = [builderCommand('seal-image')];
  return { upload, seal, url: objectUrl(endpoint, props.bucket, props.key) };
}

function objectUrl(endpoint: string, bucket: string, key: string): string {
  // A token cannot be parsed or percent-encoded at synth; the keys this library makes need no encoding.
  if (Token.isUnresolved(endpoint)) return `${endpoint.replace('://', `://${bucket}.`)}/${key}`;
  return Token.isUnresolved(key) ? spacesBucketUrl(endpoint, bucket) + key : spacesObjectUrl(endpoint, bucket, key);
}
