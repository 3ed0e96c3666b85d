/**
 * Waits until a machine answers: a TCP connection to the port, or an HTTP GET
 * of a path answering 2xx or 3xx. The Droplet readiness gate runs it between
 * the creation of the new Droplets and the destruction of the old ones.
 */
import { request } from 'node:http';
import { Socket } from 'node:net';
import { abortableSleep } from '../common/abortable-sleep';
import { BuilderError, InterruptedError } from '../common/errors';

export interface ReadinessTarget {
  readonly host: string;
  readonly port: number;
  /** GET this path (starting with '/') and want 2xx/3xx; without it, a TCP connect is enough. */
  readonly httpPath?: string;
  readonly timeoutSeconds: number;
}

export interface WaitOptions {
  readonly signal: AbortSignal;
  /** Progress lines (one per report interval). */
  readonly report: (line: string) => void;
  /** Between attempts. */
  readonly intervalMs?: number;
  /** One attempt's own bound: a Droplet still booting may swallow packets rather than refuse them. */
  readonly attemptTimeoutMs?: number;
  readonly reportEveryMs?: number;
}

export class NotReadyError extends BuilderError {}

/** Resolves with the seconds it took; throws NotReadyError at the deadline, InterruptedError on abort. */
export async function waitReady(target: ReadinessTarget, options: WaitOptions): Promise<number> {
  const started = Date.now();
  const deadline = started + target.timeoutSeconds * 1000;
  const interval = options.intervalMs ?? 5000;
  const reportEvery = options.reportEveryMs ?? 30_000;
  let lastReport = started;
  let last = 'no attempt yet';
  const what = describe(target);
  options.report(`waiting for ${what} (up to ${target.timeoutSeconds} s)`);
  for (;;) {
    if (options.signal.aborted) throw new InterruptedError(`stopped waiting for ${what}`);
    const attempt = await attemptOnce(target, Math.min(options.attemptTimeoutMs ?? 5000, Math.max(1, deadline - Date.now())));
    const seconds = (Date.now() - started) / 1000;
    if (attempt.ready) {
      options.report(`${what} answered after ${seconds.toFixed(1)} s${attempt.detail ? ` (${attempt.detail})` : ''}`);
      return seconds;
    }
    last = attempt.detail;
    if (Date.now() >= deadline) {
      throw new NotReadyError(
        `${what} did not answer within ${target.timeoutSeconds} s (last attempt: ${last}); the old Droplets are kept until a gate passes. ` +
        'Look at the Droplet\'s console (DigitalOcean control panel, or `cdktf-docker-vm preview` locally) for why the service does not start, ' +
        'or raise readinessTimeoutMinutes if it only needs longer; the next apply waits again',
      );
    }
    if (Date.now() - lastReport >= reportEvery) {
      options.report(`still waiting for ${what} after ${seconds.toFixed(0)} s (last attempt: ${last})`);
      lastReport = Date.now();
    }
    await abortableSleep(Math.min(interval, Math.max(0, deadline - Date.now())), options.signal);
  }
}

function describe(target: ReadinessTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return target.httpPath === undefined ? `${host}:${target.port} to accept a TCP connection` : `http://${host}:${target.port}${target.httpPath} to answer 2xx or 3xx`;
}

interface Attempt {
  readonly ready: boolean;
  readonly detail: string;
}

function attemptOnce(target: ReadinessTarget, timeoutMs: number): Promise<Attempt> {
  return target.httpPath === undefined ? tcpAttempt(target, timeoutMs) : httpAttempt(target, target.httpPath, timeoutMs);
}

function tcpAttempt(target: ReadinessTarget, timeoutMs: number): Promise<Attempt> {
  return new Promise(resolve => {
    const socket = new Socket();
    const done = (attempt: Attempt) => {
      socket.destroy();
      resolve(attempt);
    };
    socket.setTimeout(timeoutMs, () => done({ ready: false, detail: `no answer within ${(timeoutMs / 1000).toFixed(0)} s` }));
    socket.once('connect', () => done({ ready: true, detail: '' }));
    socket.once('error', e => done({ ready: false, detail: errorCode(e) }));
    socket.connect(target.port, target.host);
  });
}

function httpAttempt(target: ReadinessTarget, httpPath: string, timeoutMs: number): Promise<Attempt> {
  return new Promise(resolve => {
    const req = request({ host: target.host, port: target.port, path: httpPath, method: 'GET', timeout: timeoutMs, headers: { 'user-agent': 'cdktf-docker-vm readiness gate' } }, res => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve({ ready: status >= 200 && status < 400, detail: `HTTP ${status}` });
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${(timeoutMs / 1000).toFixed(0)} s`)));
    req.once('error', e => resolve({ ready: false, detail: errorCode(e) }));
    req.end();
  });
}

function errorCode(e: Error): string {
  return (e as NodeJS.ErrnoException).code ?? e.message;
}
