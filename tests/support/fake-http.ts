import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake route answers. `body` objects are sent as JSON; `hang` never answers (for timeouts). */
export interface FakeResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | object;
  readonly delayMs?: number;
  readonly hang?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type FakeHandler = (req: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeHttp {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /**
   * Answers `method path` (path without query). A list is served in order, its last entry repeating;
   * a later `on` for the same route replaces the earlier one.
   */
  on(method: string, path: string, response: FakeResponse | readonly FakeResponse[] | FakeHandler): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1:0 that serves canned API responses and records what it was asked. */
export async function startFakeHttp(): Promise<FakeHttp> {
  const routes = new Map<string, FakeHandler>();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const handler = routes.get(`${recorded.method} ${recorded.path}`);
      void Promise.resolve<FakeResponse>(
        handler ? handler(recorded) : { status: 404, body: { error: 'no such route' } },
      ).then((r) => {
        if (r.hang) return;
        const send = () => {
          const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
          const type = typeof r.body === 'string' || r.body === undefined ? 'text/plain' : 'application/json';
          res.writeHead(r.status ?? 200, { 'content-type': type, ...r.headers });
          res.end(body);
        };
        if (r.delayMs) setTimeout(send, r.delayMs);
        else send();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (method, path, response) => {
      if (typeof response === 'function') {
        routes.set(`${method} ${path}`, response);
        return;
      }
      const list = Array.isArray(response) ? [...(response as readonly FakeResponse[])] : [response as FakeResponse];
      let i = 0;
      routes.set(`${method} ${path}`, () => {
        const r = list[Math.min(i, list.length - 1)] as FakeResponse;
        i++;
        return r;
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
