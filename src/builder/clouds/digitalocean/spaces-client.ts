/**
 * An S3 client for a Spaces bucket, with the keys from the environment (the
 * variables the DigitalOcean provider reads), and Spaces' S3 errors in plain words.
 * The keys are never part of a message, a log line or the terraform_data input.
 */
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { usesPathStyle } from './spaces-url';
import { BuilderError, SpecError } from '../../common/errors';

/** Where an object lives. `endpoint` is the region's endpoint, e.g. https://nyc3.digitaloceanspaces.com. */
export interface SpacesLocation {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly key: string;
}

export const SPACES_KEY_VARIABLES = ['SPACES_ACCESS_KEY_ID', 'SPACES_SECRET_ACCESS_KEY'] as const;

/** Each request is tried this often (SDK backoff between tries), so a failed part is sent again. */
const MAX_ATTEMPTS = 5;

export function spacesClient(location: SpacesLocation, env: NodeJS.ProcessEnv = process.env): S3Client {
  const missing = SPACES_KEY_VARIABLES.filter(name => !env[name]);
  if (missing.length) {
    throw new SpecError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set; export the Spaces access key pair ` +
      '(DigitalOcean control panel → API → Spaces Keys) in the environment of cdktf deploy, as for the DigitalOcean provider');
  }
  return new S3Client({
    endpoint: location.endpoint,
    region: location.region,
    forcePathStyle: usesPathStyle(location.endpoint),
    credentials: { accessKeyId: env.SPACES_ACCESS_KEY_ID!, secretAccessKey: env.SPACES_SECRET_ACCESS_KEY! },
    maxAttempts: MAX_ATTEMPTS,
    // Checksums only where S3 requires them: S3-compatible stores do not all take the SDK's newer default ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A Spaces call failed: what it was, what Spaces said, and what to do. */
export class SpacesError extends BuilderError {}

export function spacesError(doing: string, location: SpacesLocation, e: unknown): BuilderError {
  if (e instanceof BuilderError) return e;
  const where = `bucket ${location.bucket} at ${location.endpoint}`;
  if (e instanceof S3ServiceException) {
    const code = e.name;
    const status = e.$metadata.httpStatusCode;
    if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken'].includes(code) || status === 401 || status === 403) {
      return new SpacesError(`${doing}: Spaces refused the request (${code}) for ${where}; check that SPACES_ACCESS_KEY_ID and SPACES_SECRET_ACCESS_KEY ` +
        'are a current key pair with access to this bucket');
    }
    if (code === 'NoSuchBucket') {
      return new SpacesError(`${doing}: ${where} does not exist; create it (createBucket: true, the default) or name an existing bucket in bucketName and bucketRegion`);
    }
    return new SpacesError(`${doing}: Spaces answered ${code}${status ? ` (HTTP ${status})` : ''} for ${where}: ${e.message}; run cdktf deploy again, ` +
      'and if it persists look at https://status.digitalocean.com');
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return new SpacesError(`${doing}: cannot reach ${location.endpoint} (${code ?? message}); check the network and spacesEndpoint, then run cdktf deploy again`);
}

/** Runs `use` with a client and closes its connections afterwards, so the process can exit at once. */
export async function withSpacesClient<T>(
  location: SpacesLocation, use: (client: S3Client) => Promise<T>, env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const client = spacesClient(location, env);
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}
