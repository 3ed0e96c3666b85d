/**
 * A stand-in for DigitalOcean's image API on 127.0.0.1: GET /v2/images lists
 * the images (paged), POST /v2/images starts an import that downloads the URL
 * anonymously, as DigitalOcean does, and ends `available` when the download
 * got the file, or `deleted` with an error_message when it did not.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { readBody } from './request-body';
import type { DoImage } from '../../../src/builder/clouds/digitalocean/images-api';

export interface StubImage extends DoImage {
  status: string;
  error_message?: string;
}

export interface Download {
  readonly url: string;
  readonly status: number;
  readonly bytes: number;
  readonly at: number;
}

export class DigitalOceanApiStub {
  public readonly images: StubImage[] = [];
  public readonly authorizations: string[] = [];
  public readonly downloads: Download[] = [];
  /** Answer this many list requests with HTTP 503 first. */
  public failNextLists = 0;
  /** How long an import waits before it downloads the file. */
  public downloadAfterMs = 1000;
  /** When set, requests without this bearer token get HTTP 401. */
  public token?: string;
  /** When set, every import ends `deleted` with this error_message after its download, as for a file DigitalOcean cannot use. */
  public refuseImportsWith?: string;
  /** Images per page of the list. */
  public pageSize = 200;
  private nextId = 1000;
  private server?: Server;
  private base = '';
  private readonly pending: Promise<void>[] = [];

  public get url(): string {
    return this.base;
  }

  public async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  public async stop(): Promise<void> {
    await Promise.allSettled(this.pending);
    this.server?.closeAllConnections();
    await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** An image as the API shows it; created now unless `created_at` says otherwise. */
  public add(image: Partial<StubImage> & { name: string }): StubImage {
    const full: StubImage = { id: this.nextId++, status: 'NEW', created_at: new Date().toISOString(), ...image };
    this.images.push(full);
    return full;
  }

  /** Starts an import of `url`, as POST /v2/images does. */
  public startImport(name: string, url: string): StubImage {
    const image = this.add({ name });
    this.pending.push(new Promise<void>(resolve => setTimeout(resolve, this.downloadAfterMs)).then(async () => {
      image.status = 'pending';
      let status = 0;
      let bytes = 0;
      try {
        const response = await fetch(url);
        status = response.status;
        bytes = (await response.arrayBuffer()).byteLength;
      } catch {
        status = -1;
      }
      this.downloads.push({ url, status, bytes, at: Date.now() });
      if (status === 200 && this.refuseImportsWith) {
        image.status = 'deleted';
        image.error_message = this.refuseImportsWith;
      } else if (status === 200) {
        image.status = 'available';
      } else {
        image.status = 'deleted';
        image.error_message = `Unable to download image from URL: HTTP ${status}`;
      }
    }));
    return image;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.authorizations.push(req.headers.authorization ?? '');
    const url = new URL(req.url ?? '/', 'http://stub');
    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) return json(res, 401, { id: 'unauthorized', message: 'Unable to authenticate you' });
    if (url.pathname === '/v2/images' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)).toString()) as { name: string; url: string };
      return json(res, 202, { image: this.startImport(body.name, body.url) });
    }
    if (url.pathname !== '/v2/images' || req.method !== 'GET') return json(res, 404, { id: 'not_found', message: 'not in the stub' });
    if (this.failNextLists > 0) {
      this.failNextLists--;
      return json(res, 503, { id: 'service_unavailable', message: 'try again' });
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? '20'), this.pageSize);
    const slice = this.images.slice((page - 1) * perPage, page * perPage);
    const next = page * perPage < this.images.length ? `${this.base}/v2/images?page=${page + 1}&per_page=${perPage}` : undefined;
    return json(res, 200, { images: slice, links: next ? { pages: { next } } : {}, meta: { total: this.images.length } });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
