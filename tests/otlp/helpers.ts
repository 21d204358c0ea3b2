import http from 'node:http';
import zlib from 'node:zlib';
import { convertIds, decodeRequest, otlpProto } from '../utils/otlpProto.js';

type Received = {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The body, gunzipped when it was gzipped. */
  body: Buffer;
  /** Date.now() when the request had arrived. */
  time: number;
};

type Answer = {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Held until this promise settles. */
  after?: Promise<unknown>;
};

/**
 * A local OTLP/HTTP receiver on 127.0.0.1: records every request, and
 * answers with `answer(request, index)` (default 200).
 */
async function startReceiver(
  answer: (request: Received, index: number) => Answer = () => ({
    status: 200,
  }),
): Promise<{
  url: string;
  port: number;
  received: Array<Received>;
  answered: () => number;
  close: () => Promise<void>;
}> {
  const received: Array<Received> = [];
  let answered = 0;
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip')
        body = zlib.gunzipSync(body);
      const r: Received = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body,
        time: Date.now(),
      };
      const index = received.length;
      received.push(r);
      const a = answer(r, index);
      if (a.after !== undefined) await a.after.catch(() => {});
      answered++;
      res.writeHead(a.status, a.headers);
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as any).port as number;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    port,
    received,
    answered: () => answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Spans of every decoded request, flattened. */
function spansOf(requests: Array<any>): Array<any> {
  return requests.flatMap((r) =>
    r.resourceSpans.flatMap((rs: any) =>
      rs.scopeSpans.flatMap((ss: any) => ss.spans),
    ),
  );
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as any).port as number;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export {
  decodeRequest,
  startReceiver,
  spansOf,
  freePort,
  otlpProto,
  convertIds,
};
export type { Received, Answer };
