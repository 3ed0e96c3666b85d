/**
 * Watches DigitalOcean import the uploaded file, through the image list of the
 * API, until the import ends: `available`, or `deleted` with DigitalOcean's
 * error_message (which the DigitalOcean provider does not show).
 */
import { DigitalOceanApiError, DoImage, ImagesApi, TransientApiError } from '../clouds/digitalocean/images-api';
import { abortableSleep } from '../common/abortable-sleep';
import { BuilderError, InterruptedError } from '../common/errors';

/** The import failed: DigitalOcean deleted the image. */
export class ImportFailedError extends BuilderError {}

export interface ImportWatch {
  readonly imageName: string;
  /** The local image file, for the advice when the import fails. */
  readonly file?: string;
  /** When the file was uploaded: imports of it are images created after this. */
  readonly uploadedAt: Date;
  readonly timeoutSeconds: number;
  /** How long to wait for an import to appear before deciding that nothing imports this file. */
  readonly startGraceSeconds: number;
}

export interface WatchOptions {
  readonly api: ImagesApi;
  readonly signal: AbortSignal;
  readonly report: (line: string) => void;
  /** @default 10_000 */
  readonly pollMs?: number;
  /** @default 60_000 */
  readonly reportEveryMs?: number;
}

export type ImportEnd =
  | { readonly kind: 'imported'; readonly image: DoImage }
  | { readonly kind: 'not-imported'; readonly existing: DoImage };

/** The clocks of Spaces and of the image service may differ by this much. */
const CLOCK_SLACK_MS = 120_000;

export async function watchImport(watch: ImportWatch, options: WatchOptions): Promise<ImportEnd> {
  const started = Date.now();
  const deadline = started + watch.timeoutSeconds * 1000;
  const graceEnd = started + watch.startGraceSeconds * 1000;
  const since = watch.uploadedAt.getTime() - CLOCK_SLACK_MS;
  const pollMs = options.pollMs ?? 10_000;
  const reportEvery = options.reportEveryMs ?? 60_000;
  let lastReport = started;
  let lastProblem = '';
  let seen: DoImage | undefined;
  for (;;) {
    if (options.signal.aborted) throw new InterruptedError(`interrupted while waiting for DigitalOcean to import ${watch.imageName}`);
    let images: DoImage[] | undefined;
    try {
      images = await options.api.imagesNamed(watch.imageName);
    } catch (e) {
      if (!(e instanceof TransientApiError)) throw e;
      lastProblem = e.message;
    }
    if (images) {
      const imports = images.filter(i => Date.parse(i.created_at) >= since).sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      const current = imports[0];
      if (current && !seen) options.report(`DigitalOcean is importing ${watch.imageName} (image ${current.id}, ${current.status})`);
      seen = current ?? seen;
      if (current?.status === 'available') return { kind: 'imported', image: current };
      if (current?.status === 'deleted') throw importFailed(watch, current);
      const existing = images.find(i => i.status === 'available');
      if (!current && existing && Date.now() >= graceEnd) return { kind: 'not-imported', existing };
    }
    if (Date.now() >= deadline) throw timedOut(watch, seen, lastProblem);
    if (Date.now() - lastReport >= reportEvery) {
      lastReport = Date.now();
      const waited = Math.round((Date.now() - started) / 1000);
      options.report(seen ? `image ${seen.id} is still ${seen.status} after ${waited} s` : `no import of ${watch.imageName} has started after ${waited} s${lastProblem ? ` (last API problem: ${lastProblem})` : ''}`);
    }
    await abortableSleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), options.signal);
  }
}

function importFailed(watch: ImportWatch, image: DoImage): ImportFailedError {
  const reason = image.error_message?.trim() || 'DigitalOcean gave no reason';
  return new ImportFailedError(`DigitalOcean could not import ${watch.imageName} (image ${image.id} is deleted): ${reason}. ` +
    `The image file was made private again. Check the file with \`cdktf-docker-vm check ${watch.file ?? 'FILE'}\` ` +
    '(format, compression, size, bootloader), fix the stack, and run cdktf deploy again; ' +
    'if DigitalOcean could not download the file, run cdktf deploy again as it is: the next import makes the file public for its own download');
}

function timedOut(watch: ImportWatch, seen: DoImage | undefined, lastProblem: string): DigitalOceanApiError {
  if (seen) {
    return new DigitalOceanApiError(`DigitalOcean did not finish importing ${watch.imageName} within ${watch.timeoutSeconds} s (image ${seen.id} is ${seen.status}); ` +
      'the image file was made private again; raise importTimeoutMinutes, or look at the image in the control panel (Images → Custom Images), then run cdktf deploy again');
  }
  return new DigitalOceanApiError(`no DigitalOcean import of ${watch.imageName} started within ${watch.timeoutSeconds} s` +
    `${lastProblem ? ` (last API problem: ${lastProblem})` : ''}; the image file was made private again; ` +
    'look for the digitalocean_custom_image error above, check that the token belongs to the account the provider uses, then run cdktf deploy again');
}
