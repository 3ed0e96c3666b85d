/**
 * A model of a Spaces bucket on 127.0.0.1 (path-style S3): objects with ACLs and
 * metadata, multipart uploads, and anonymous reads that get 403 unless the
 * object is public-read, as on Spaces. It checks the access key id of signed
 * requests, records every call in order, and can fail or slow parts to test
 * retries and interrupts. (s3rver, a third-party S3 server, lacks ACLs,
 * ListMultipartUploads and AbortMultipartUpload, so it covers only the plain
 * multipart round trip.)
 */
import { randomUUID, createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { readBody } from './request-body';

export interface StoredObject {
  body: Buffer;
  acl: string;
  metadata: Record<string, string>;
  lastModified: Date;
}

export interface ModelCall {
  readonly op: string;
  readonly key?: string;
  readonly acl?: string;
  readonly anonymous: boolean;
  readonly at: number;
}

interface MultipartUpload {
  readonly key: string;
  readonly acl: string;
  readonly metadata: Record<string, string>;
  readonly parts: Map<number, Buffer>;
}

export interface SpacesModelOptions {
  readonly bucket?: string;
  readonly accessKeyId?: string;
}

export class SpacesModel {
  public readonly bucket: string;
  public readonly accessKeyId: string;
  public readonly objects = new Map<string, StoredObject>();
  public readonly uploads = new Map<string, MultipartUpload>();
  public readonly calls: ModelCall[] = [];
  /** Request headers seen, to show that no secret travels in them beyond the signature. */
  public readonly rawHeaders: string[] = [];
  /** Part numbers that fail once with HTTP 500. */
  public failPartsOnce = new Set<number>();
  /** Each part upload is held this long. */
  public partDelayMs = 0;
  private server?: Server;
  private url = '';

  constructor(options: SpacesModelOptions = {}) {
    this.bucket = options.bucket ?? 'test-bucket';
    this.accessKeyId = options.accessKeyId ?? 'MODELACCESSKEY';
  }

  public get endpoint(): string {
    return this.url;
  }

  public objectUrl(key: string): string {
    return `${this.url}/${this.bucket}/${key}`;
  }

  public async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch(e => {
      res.statusCode = 500;
      res.end(String(e));
    }));
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  public async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  public seed(key: string, object: Partial<StoredObject> & { body: Buffer }): void {
    this.objects.set(key, { acl: 'private', metadata: {}, lastModified: new Date(), ...object });
  }

  public opsOn(key: string): string[] {
    return this.calls.filter(c => c.key === key).map(c => (c.acl ? `${c.op}:${c.acl}` : c.op));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://model');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const body = await readBody(req);
    this.rawHeaders.push(JSON.stringify(req.headers));
    const auth = req.headers.authorization ?? '';
    const anonymous = !auth && !url.searchParams.has('X-Amz-Credential');
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const op = operation(method, key, q);
    this.calls.push({ op, key: key || undefined, acl: aclOf(req, op), anonymous, at: Date.now() });

    if (bucket !== this.bucket) return xmlError(res, 404, 'NoSuchBucket', `no bucket ${bucket}`);
    if (!anonymous && !auth.includes(`Credential=${this.accessKeyId}/`)) return xmlError(res, 403, 'InvalidAccessKeyId', 'unknown access key');
    if (anonymous) {
      const object = this.objects.get(key);
      if ((op !== 'GetObject' && op !== 'HeadObject') || !object || object.acl !== 'public-read') return xmlError(res, 403, 'AccessDenied', 'Access Denied', method === 'HEAD');
      return sendObject(res, object, method === 'HEAD');
    }

    switch (op) {
      case 'PutObject':
        this.objects.set(key, { body, acl: aclOf(req, op) ?? 'private', metadata: metadataOf(req), lastModified: new Date() });
        return send(res, 200, '', { etag: etag(body) });
      case 'PutObjectAcl': {
        const object = this.objects.get(key);
        if (!object) return xmlError(res, 404, 'NoSuchKey', 'no such key');
        object.acl = aclOf(req, op) ?? 'private';
        return send(res, 200, '');
      }
      case 'GetObjectAcl': {
        const object = this.objects.get(key);
        if (!object) return xmlError(res, 404, 'NoSuchKey', 'no such key');
        const grant = object.acl === 'public-read'
          ? '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>'
          : '';
        return sendXml(res, `<AccessControlPolicy><Owner><ID>owner</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>${grant}</AccessControlList></AccessControlPolicy>`);
      }
      case 'HeadObject':
      case 'GetObject': {
        const object = this.objects.get(key);
        if (!object) return xmlError(res, 404, 'NoSuchKey', 'no such key', method === 'HEAD');
        return sendObject(res, object, method === 'HEAD');
      }
      case 'DeleteObject':
        this.objects.delete(key);
        return send(res, 204, '');
      case 'CreateMultipartUpload': {
        const id = randomUUID();
        this.uploads.set(id, { key, acl: aclOf(req, op) ?? 'private', metadata: metadataOf(req), parts: new Map() });
        return sendXml(res, `<InitiateMultipartUploadResult><Bucket>${this.bucket}</Bucket><Key>${xml(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
      }
      case 'UploadPart': {
        const upload = this.uploads.get(q.get('uploadId')!);
        if (!upload) return xmlError(res, 404, 'NoSuchUpload', 'no such upload');
        const n = Number(q.get('partNumber'));
        if (this.failPartsOnce.delete(n)) return xmlError(res, 500, 'InternalError', 'part failed once (model)');
        if (this.partDelayMs) await new Promise(resolve => setTimeout(resolve, this.partDelayMs));
        if (!this.uploads.has(q.get('uploadId')!)) return xmlError(res, 404, 'NoSuchUpload', 'aborted meanwhile');
        upload.parts.set(n, body);
        return send(res, 200, '', { etag: etag(body) });
      }
      case 'CompleteMultipartUpload': {
        const id = q.get('uploadId')!;
        const upload = this.uploads.get(id);
        if (!upload) return xmlError(res, 404, 'NoSuchUpload', 'no such upload');
        const numbers = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map(m => Number(m[1]));
        if (numbers.some(n => !upload.parts.has(n))) return xmlError(res, 400, 'InvalidPart', 'a listed part was not uploaded');
        const whole = Buffer.concat(numbers.map(n => upload.parts.get(n)!));
        this.uploads.delete(id);
        this.objects.set(upload.key, { body: whole, acl: upload.acl, metadata: upload.metadata, lastModified: new Date() });
        return sendXml(res, `<CompleteMultipartUploadResult><Bucket>${this.bucket}</Bucket><Key>${xml(upload.key)}</Key><ETag>${etag(whole)}</ETag></CompleteMultipartUploadResult>`);
      }
      case 'AbortMultipartUpload':
        this.uploads.delete(q.get('uploadId')!);
        return send(res, 204, '');
      case 'ListMultipartUploads': {
        const prefix = q.get('prefix') ?? '';
        const items = [...this.uploads.entries()].filter(([, u]) => u.key.startsWith(prefix))
          .map(([id, u]) => `<Upload><Key>${xml(u.key)}</Key><UploadId>${id}</UploadId><Initiated>${new Date().toISOString()}</Initiated></Upload>`);
        return sendXml(res, `<ListMultipartUploadsResult><Bucket>${this.bucket}</Bucket><IsTruncated>false</IsTruncated>${items.join('')}</ListMultipartUploadsResult>`);
      }
      case 'ListObjectsV2': {
        const prefix = q.get('prefix') ?? '';
        const delimiter = q.get('delimiter');
        const keys = [...this.objects.keys()].filter(k => k.startsWith(prefix) && (!delimiter || !k.slice(prefix.length).includes(delimiter))).sort();
        const contents = keys.map(k => {
          const o = this.objects.get(k)!;
          return `<Contents><Key>${xml(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${etag(o.body)}</ETag><Size>${o.body.length}</Size></Contents>`;
        });
        return sendXml(res, `<ListBucketResult><Name>${this.bucket}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`);
      }
      default:
        return xmlError(res, 501, 'NotImplemented', `${op} is not in the model`);
    }
  }
}

function operation(method: string, key: string, q: URLSearchParams): string {
  if (!key) {
    if (method === 'GET' && q.has('uploads')) return 'ListMultipartUploads';
    if (method === 'GET') return 'ListObjectsV2';
    return `${method} bucket`;
  }
  if (method === 'PUT' && q.has('acl')) return 'PutObjectAcl';
  if (method === 'GET' && q.has('acl')) return 'GetObjectAcl';
  if (method === 'PUT' && q.has('uploadId')) return 'UploadPart';
  if (method === 'PUT') return 'PutObject';
  if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'DELETE') return 'DeleteObject';
  if (method === 'HEAD') return 'HeadObject';
  return 'GetObject';
}

function aclOf(req: IncomingMessage, op: string): string | undefined {
  if (!['PutObject', 'PutObjectAcl', 'CreateMultipartUpload'].includes(op)) return undefined;
  return (req.headers['x-amz-acl'] as string | undefined) ?? 'private';
}

function metadataOf(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers)
    .filter(([name]) => name.startsWith('x-amz-meta-'))
    .map(([name, value]) => [name.slice('x-amz-meta-'.length), String(value)]));
}


function etag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}

function sendXml(res: ServerResponse, body: string): void {
  send(res, 200, `<?xml version="1.0" encoding="UTF-8"?>${body}`, { 'content-type': 'application/xml' });
}

function xmlError(res: ServerResponse, status: number, code: string, message: string, head = false): void {
  send(res, status, head ? '' : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`, { 'content-type': 'application/xml' });
}

function sendObject(res: ServerResponse, object: StoredObject, head: boolean): void {
  const headers: Record<string, string> = {
    'content-length': String(object.body.length),
    'last-modified': object.lastModified.toUTCString(),
    'etag': etag(object.body),
    'content-type': 'application/octet-stream',
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  res.writeHead(200, headers);
  res.end(head ? undefined : object.body);
}
