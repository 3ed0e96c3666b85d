/**
 * Where a Spaces object lives: the endpoint template (the provider's
 * `spaces_endpoint` syntax), the endpoint for a region, and the object's URL,
 * the one DigitalOcean imports from. The constructs and the builder's uploader
 * both read it from here, so the URL in the plan is the URL the file went to.
 */

/** The provider's default `spaces_endpoint`. */
export const DEFAULT_SPACES_ENDPOINT = 'https://{{.Region}}.digitaloceanspaces.com';

const REGION_PLACEHOLDER = '{{.Region}}';

/** The endpoint of `region`: the template with `{{.Region}}` replaced, without a trailing '/'. */
export function spacesEndpointFor(template: string, region: string): string {
  return template.split(REGION_PLACEHOLDER).join(region).replace(/\/+$/, '');
}

/**
 * Whether requests name the bucket in the path (`http://127.0.0.1:9000/bucket/key`)
 * rather than in the host name (`https://bucket.nyc3.digitaloceanspaces.com/key`):
 * for an IP address or localhost, which cannot take a bucket subdomain.
 */
export function usesPathStyle(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
}

/** The object's URL, each key segment percent-encoded. */
export function spacesObjectUrl(endpoint: string, bucket: string, key: string): string {
  return spacesBucketUrl(endpoint, bucket) + key.split('/').map(encodeURIComponent).join('/');
}

/** The bucket's URL, ending in '/': path-style for IP addresses and localhost, else the bucket as a subdomain. */
export function spacesBucketUrl(endpoint: string, bucket: string): string {
  const url = new URL(endpoint);
  const base = url.pathname.replace(/\/+$/, '');
  if (usesPathStyle(endpoint)) return `${url.protocol}//${url.host}${base}/${bucket}/`;
  return `${url.protocol}//${bucket}.${url.host}${base}/`;
}

/** What is wrong with an endpoint template, or undefined when it is usable. */
export function endpointTemplateProblem(template: string): string | undefined {
  let url: URL;
  try {
    url = new URL(spacesEndpointFor(template, 'nyc3'));
  } catch {
    return `spacesEndpoint must be a URL such as ${DEFAULT_SPACES_ENDPOINT}, got ${JSON.stringify(template)}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `spacesEndpoint must start with https://, got ${JSON.stringify(template)}`;
  if (url.search || url.hash || url.username) return `spacesEndpoint must hold no query, fragment or credentials, got ${JSON.stringify(template)}`;
  return undefined;
}
