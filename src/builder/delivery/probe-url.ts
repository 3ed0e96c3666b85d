/**
 * Asks an image URL with HEAD, as DigitalOcean will before it imports: it must
 * answer 2xx without credentials. A wrong or private URL then fails in seconds.
 */
import { BuilderError } from '../common/errors';
import { fetchFailure } from '../common/fetch-failure';
import { formatBytes } from '../common/progress';

export class ImageUrlError extends BuilderError {}

const TIMEOUT_MS = 30_000;

export async function probeImageUrl(url: string, report: (line: string) => void): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new ImageUrlError(`the image url ${url} does not answer (${fetchFailure(e)}); ` +
      'DigitalOcean downloads the file from it: check the address and that the server is up');
  }
  if (response.status === 401 || response.status === 403) {
    throw new ImageUrlError(`the image url ${url} answers HTTP ${response.status} without credentials; ` +
      'DigitalOcean downloads anonymously: make the file readable while it is imported (or upload it with CustomImage)');
  }
  if (!response.ok) {
    throw new ImageUrlError(`the image url ${url} answers HEAD with HTTP ${response.status}; DigitalOcean needs a URL that answers HEAD with 200: check the address`);
  }
  const length = Number(response.headers.get('content-length'));
  report(`${url} answers ${response.status}${Number.isFinite(length) && length > 0 ? `, ${formatBytes(length)}` : ''}`);
}
