/**
 * The part of DigitalOcean's API the seal step reads: the account's custom
 * images, to watch an import end. The token comes from the variables the
 * DigitalOcean provider reads, and the API URL from DIGITALOCEAN_API_URL like
 * the provider's `api_endpoint`.
 */
import { BuilderError, SpecError } from '../../common/errors';
import { fetchFailure } from '../../common/fetch-failure';

export const DEFAULT_API_URL = 'https://api.digitalocean.com';
export const TOKEN_VARIABLES = ['DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN'] as const;

/** The fields of an image (GET /v2/images) the seal step uses. */
export interface DoImage {
  readonly id: number;
  readonly name: string;
  /** 'NEW' while importing, then 'available', or 'deleted' when the import failed. */
  readonly status: string;
  readonly created_at: string;
  readonly error_message?: string;
}

export class DigitalOceanApiError extends BuilderError {}

/** The token, or a SpecError saying which variable to set. */
export function apiToken(env: NodeJS.ProcessEnv = process.env): string {
  const token = TOKEN_VARIABLES.map(name => env[name]).find(Boolean);
  if (!token) {
    throw new SpecError(`neither ${TOKEN_VARIABLES.join(' nor ')} is set; export the DigitalOcean API token in the environment of cdktf deploy ` +
      '(the step that makes the uploaded image private again watches the import with it)');
  }
  return token;
}

export function apiUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.DIGITALOCEAN_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}

export interface ImagesApi {
  /** The account's custom images named `name`. */
  imagesNamed(name: string): Promise<DoImage[]>;
}

const PAGE_SIZE = 200;
const REQUEST_TIMEOUT_MS = 30_000;

export function imagesApi(baseUrl: string, token: string): ImagesApi {
  return {
    async imagesNamed(name) {
      const found: DoImage[] = [];
      for (let page = 1; ; page++) {
        const body = await getJson(`${baseUrl}/v2/images?private=true&per_page=${PAGE_SIZE}&page=${page}`, token) as {
          images?: DoImage[]; links?: { pages?: { next?: string } };
        };
        found.push(...(body.images ?? []).filter(i => i.name === name));
        if (!body.links?.pages?.next || !(body.images ?? []).length) return found;
      }
    },
  };
}

async function getJson(url: string, token: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (e) {
    throw new TransientApiError(`cannot reach ${new URL(url).origin} (${fetchFailure(e)})`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new DigitalOceanApiError(`DigitalOcean refused the API token (HTTP ${response.status}) when listing images; ` +
      `check that ${TOKEN_VARIABLES[0]} holds a current token with read access to images`);
  }
  if (response.status === 429 || response.status >= 500) throw new TransientApiError(`DigitalOcean answered HTTP ${response.status} when listing images`);
  if (!response.ok) throw new DigitalOceanApiError(`DigitalOcean answered HTTP ${response.status} when listing images: ${(await response.text()).slice(0, 300)}`);
  try {
    return await response.json();
  } catch {
    throw new TransientApiError('DigitalOcean answered the image list with something that is not JSON');
  }
}

/** Worth asking again a little later (network, rate limit, 5xx). */
export class TransientApiError extends BuilderError {}
