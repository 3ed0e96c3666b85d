import { createServer as createHttpServer, Server as HttpServer } from 'node:http';
import { AddressInfo, createServer, Server } from 'node:net';
import { InterruptedError } from '../../../src/builder/common/errors';
import { NotReadyError, waitReady } from '../../../src/builder/ready/wait-ready';

const FAST = { intervalMs: 100, attemptTimeoutMs: 2000, reportEveryMs: 60_000 };

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

function listen<T extends Server | HttpServer>(server: T, port = 0): Promise<number> {
  return new Promise(resolve => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const closeAll: Array<() => void> = [];
afterEach(() => closeAll.splice(0).forEach(close => close()));

describe('waitReady', () => {
  test('GIVEN a port that starts listening later WHEN waiting for TCP THEN it resolves once the port accepts', async () => {
    // GIVEN nothing listens yet on the port
    const port = await closedPort();
    const lines: string[] = [];
    const waiting = waitReady({ host: '127.0.0.1', port, timeoutSeconds: 120 }, { ...FAST, signal: new AbortController().signal, report: l => lines.push(l) });
    await new Promise(resolve => setTimeout(resolve, 500));
    const server = createServer(socket => socket.end());
    closeAll.push(() => server.close());
    // WHEN the port opens
    await listen(server, port);
    // THEN the wait ends and says so
    await expect(waiting).resolves.toBeGreaterThan(0.3);
    expect(lines.at(-1)).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} to accept a TCP connection answered after`));
  });

  test('GIVEN an HTTP path answering 503 then 200 WHEN waiting THEN only the 200 counts', async () => {
    // GIVEN
    const statuses: number[] = [];
    const server = createHttpServer((req, res) => {
      res.statusCode = req.url === '/healthz' && statuses.length >= 2 ? 200 : 503;
      statuses.push(res.statusCode);
      res.end();
    });
    closeAll.push(() => server.close());
    const port = await listen(server);
    // WHEN
    await waitReady({ host: '127.0.0.1', port, httpPath: '/healthz', timeoutSeconds: 120 }, { ...FAST, signal: new AbortController().signal, report: () => undefined });
    // THEN
    // (on a busy machine an attempt may time out after the server answered, so count answers, not calls)
    expect(statuses.slice(0, 3)).toEqual([503, 503, 200]);
    expect(statuses.at(-1)).toBe(200);
  });

  test('GIVEN a port that never opens WHEN the timeout passes THEN the error names the target, the last attempt and the fix', async () => {
    // (the last attempt gets only what is left before the deadline, so on a busy machine it may end by its own timeout)
    const port = await closedPort();
    const wait = waitReady({ host: '127.0.0.1', port, timeoutSeconds: 1 }, { ...FAST, signal: new AbortController().signal, report: () => undefined });
    await expect(wait).rejects.toThrow(NotReadyError);
    await expect(wait).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port} to accept a TCP connection did not answer within 1 s \\(last attempt: (ECONNREFUSED|no answer within \\d+ s)\\); the old Droplets are kept.*readinessTimeoutMinutes`));
  });

  test('GIVEN a wait in progress WHEN aborted THEN it stops with an interruption', async () => {
    const port = await closedPort();
    const controller = new AbortController();
    const wait = waitReady({ host: '127.0.0.1', port, timeoutSeconds: 600 }, { ...FAST, signal: controller.signal, report: () => undefined });
    setTimeout(() => controller.abort(), 300);
    await expect(wait).rejects.toThrow(InterruptedError);
  });
});
