import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SpanIndex, TraceListQuery } from '../../reader/index.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import IndexFollower from './IndexFollower.js';
import { renderViewerPage, spanDetail } from '../viewer/index.js';

type ViewerServerOptions = {
  files: Array<string>;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Poll interval of the files in milliseconds. */
  interval?: number;
  title?: string;
};

/** Longest a live update waits, so new spans reach pages within 1 s. */
const pushDelay = 250;
/** The same while the files are first read. */
const loadingPushDelay = 1000;
/** Aggregates (flame graph, by-name table) are recomputed at most this often. */
const aggregateAge = 1000;
const heartbeat = 15000;
/** Most byte offsets a text search collects. */
const maxHits = 100000;
const searchChunk = 16 << 20;
const maxChanged = 200;
/** Traces a page of the list holds by default, and at most. */
const listLimit = 500;
const maxListLimit = 5000;
/** Processes a summary lists (a process filter of more is no use). */
const maxProcesses = 1000;

/** Whether every byte of `bytes` is ASCII. */
function isAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > asciiMax) return false;
  return true;
}

const asciiMax = 0x7f;

/** An open file to search (what a follower holds). */
type ScanHandle = {
  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  close?: () => Promise<void>;
};

/**
 * Finds `needle` in every file (a path, or a file already open); returns the byte offsets, per file. An
 * ASCII needle matches regardless of ASCII case: each chunk is read as
 * latin1 (one character per byte, so offsets stay byte offsets) and
 * lower-cased. A needle with other characters matches its exact bytes.
 */
async function scanFiles(
  files: Array<string | ScanHandle>,
  needle: Buffer,
): Promise<Array<Array<number>>> {
  const out: Array<Array<number>> = [];
  const buf = Buffer.allocUnsafe(searchChunk + needle.length);
  const folded = isAscii(needle)
    ? needle.toString('latin1').toLowerCase()
    : undefined;
  let hits = 0;
  for (const file of files) {
    const offsets: Array<number> = [];
    out.push(offsets);
    let handle: ScanHandle;
    try {
      handle =
        typeof file === 'string' ? await fs.promises.open(file, 'r') : file;
    } catch {
      continue;
    }
    try {
      let pos = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        const view = buf.subarray(0, bytesRead);
        const text =
          folded === undefined
            ? undefined
            : view.toString('latin1').toLowerCase();
        const next = (from: number): number =>
          text === undefined
            ? view.indexOf(needle, from)
            : text.indexOf(folded!, from);
        let at = next(0);
        while (at !== -1 && hits < maxHits) {
          offsets.push(pos + at);
          hits++;
          at = next(at + 1);
        }
        if (bytesRead < buf.length || hits >= maxHits) break;
        // Overlap so a match across the chunk edge is found once.
        pos += bytesRead - needle.length + 1;
      }
    } catch {
      // unreadable now: no hits in it
    } finally {
      // an open file handed in stays open
      if (typeof file === 'string') await handle.close?.();
    }
    if (hits >= maxHits) break;
  }
  return out;
}

/**
 * `spantrail serve`: an HTTP server on a loopback address that serves the
 * viewer page and a small JSON API over a live {@link SpanIndex}. Every
 * request needs the random token the URL carries (403 without it), and a
 * Host header naming this server (no DNS rebinding).
 */
class ViewerServer {
  public readonly token: string = crypto.randomBytes(18).toString('base64url');
  public follower: IndexFollower;
  protected options: ViewerServerOptions;
  protected server: http.Server;
  protected clients: Set<ServerResponse> = new Set();
  protected pushTimer?: ReturnType<typeof setTimeout>;
  protected beatTimer?: ReturnType<typeof setInterval>;
  protected cache: Map<
    string,
    { generation: number; at: number; value: unknown }
  > = new Map();
  protected searchCache?: { key: string; result: Set<number> };
  protected port: number = 0;

  constructor(options: ViewerServerOptions) {
    this.options = options;
    this.follower = new IndexFollower(options.files, {
      interval: options.interval,
      onUpdate: () => this.schedulePush(),
      onReset: () => {
        this.cache.clear();
        this.searchCache = undefined;
        this.schedulePush(true);
      },
    });
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) {
          this.json(res, 500, { error: String((e as Error)?.message ?? e) });
        } else {
          res.destroy();
        }
      });
    });
  }

  protected get index(): SpanIndex {
    return this.follower.index;
  }

  /** Listens, starts following the files; resolves with the page URL. */
  public async start(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.beatTimer = setInterval(() => {
      for (const c of this.clients) c.write(': beat\n\n');
    }, heartbeat);
    // Serve while the files load: the page shows progress.
    this.follower.start().catch(() => undefined);
    const shown = host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${this.port}/?token=${this.token}`;
  }

  public async stop(): Promise<void> {
    if (this.pushTimer != null) clearTimeout(this.pushTimer);
    if (this.beatTimer != null) clearInterval(this.beatTimer);
    for (const c of this.clients) c.end();
    this.clients.clear();
    await this.follower.stop();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  protected schedulePush(now: boolean = false): void {
    if (this.pushTimer != null) {
      if (!now) return;
      clearTimeout(this.pushTimer);
    }
    // While the files first load, fewer pushes leave the CPU to reading.
    const delay = now ? 0 : this.follower.loaded ? pushDelay : loadingPushDelay;
    this.pushTimer = setTimeout(() => this.push(), delay);
  }

  protected push(): void {
    this.pushTimer = undefined;
    const changed = this.index.takeChanged(maxChanged);
    if (this.clients.size === 0) return;
    const data = JSON.stringify({ ...this.summary(), changed });
    for (const c of this.clients) c.write(`event: update\ndata: ${data}\n\n`);
  }

  protected summary(): Record<string, unknown> {
    const f = this.follower;
    return {
      generation: this.index.generation,
      loaded: f.loaded,
      bytesRead: f.bytesRead,
      bytesTotal: f.bytesTotal,
      files: this.options.files,
      services: this.index.serviceList(),
      processes: this.index.processes().slice(0, maxProcesses),
      issues: f.issues,
      now: Date.now() * 1000,
      last: this.index.last,
      ...this.index.totals(),
    };
  }

  protected allowedHost(req: IncomingMessage): boolean {
    const host = req.headers.host;
    if (host == null) return false;
    // Bound beyond loopback on purpose: other names reach it; the token
    // still guards it. On loopback, only loopback names (DNS rebinding).
    const bound = this.options.host ?? '127.0.0.1';
    if (!/^(127\.|localhost$|::1$)/.test(bound)) return true;
    const ok = [
      `127.0.0.1:${this.port}`,
      `localhost:${this.port}`,
      `[::1]:${this.port}`,
    ];
    const configured = this.options.host;
    if (configured != null) {
      ok.push(
        `${configured.includes(':') ? `[${configured}]` : configured}:${this.port}`,
      );
    }
    return ok.includes(host.toLowerCase());
  }

  protected authorized(url: URL): boolean {
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const want = Buffer.from(this.token);
    return given.length === want.length && crypto.timingSafeEqual(given, want);
  }

  protected headers(type: string): Record<string, string> {
    return {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-resource-policy': 'same-origin',
    };
  }

  protected json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, this.headers('application/json; charset=utf-8'));
    res.end(JSON.stringify(body));
  }

  protected cached<T>(key: string, compute: () => T): T {
    const hit = this.cache.get(key);
    const gen = this.index.generation;
    const now = Date.now();
    if (
      hit != null &&
      (hit.generation === gen || now - hit.at < aggregateAge)
    ) {
      return hit.value as T;
    }
    const value = compute();
    this.cache.set(key, { generation: gen, at: now, value });
    return value;
  }

  protected async search(q: string): Promise<Set<number>> {
    const index = this.index;
    const key = `${index.generation}\u0000${q}`;
    if (this.searchCache?.key === key) return this.searchCache.result;
    let also = new Set<number>();
    if (q.length >= 2) {
      // Attribute values (and anything else in the records): a byte search
      // of the files for the query as it appears inside a JSON string.
      const needle = Buffer.from(JSON.stringify(q).slice(1, -1));
      // Rotated files are searched through the follower's open handles.
      const hits = await scanFiles(
        index.files.map((key) => this.follower.handleOf(key) ?? key),
        needle,
      );
      if (index !== this.index) return new Set();
      also = new Set();
      hits.forEach((offsets, f) => {
        for (const s of index.spansAtOffsets(f, offsets)) also.add(s);
      });
    }
    const result = index.search(q, also);
    this.searchCache = { key, result };
    return result;
  }

  protected async handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!this.allowedHost(req) || !this.authorized(url)) {
      res.writeHead(403, this.headers('text/plain; charset=utf-8'));
      res.end('forbidden: open the URL spantrail serve printed\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...this.headers('text/plain'), allow: 'GET' });
      res.end();
      return;
    }
    const p = url.searchParams;
    const index = this.index;
    switch (url.pathname) {
      case '/': {
        const nonce = crypto.randomBytes(16).toString('base64');
        const page = renderViewerPage({
          title: this.options.title ?? this.options.files.join(', '),
          nonce,
          mode: 'live',
        });
        res.writeHead(200, {
          ...this.headers('text/html; charset=utf-8'),
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        });
        res.end(page);
        return;
      }
      case '/api/summary':
        this.json(res, 200, this.summary());
        return;
      case '/api/traces': {
        const q = p.get('q') ?? '';
        const query: TraceListQuery = {
          sort: p.get('sort') === 'slowest' ? 'slowest' : 'newest',
          filter:
            p.get('filter') === 'errors'
              ? 'errors'
              : p.get('filter') === 'open'
                ? 'open'
                : 'all',
          service: p.get('service') ?? undefined,
          process: p.get('process') ?? undefined,
          offset: Math.max(0, Math.floor(Number(p.get('offset')) || 0)),
          limit: Math.min(
            maxListLimit,
            Math.max(1, Math.floor(Number(p.get('limit')) || listLimit)),
          ),
        };
        if (q.trim() !== '') query.only = await this.search(q.trim());
        this.json(res, 200, this.index.traceList(query));
        return;
      }
      // A trace or span not (yet) in the input is `null`, not a 404: the
      // page asks for ids from its URL and links, and a browser logs every
      // 404 as an error.
      case '/api/trace': {
        const table = index.traceTable((p.get('id') ?? '').toLowerCase());
        this.json(res, 200, table ?? null);
        return;
      }
      case '/api/span': {
        const detail = await this.spanDetail(
          p.get('id') ?? '',
          p.get('trace') ?? undefined,
        );
        this.json(res, 200, detail ?? null);
        return;
      }
      case '/api/flame':
        this.json(
          res,
          200,
          this.cached('flame', () => index.flame()),
        );
        return;
      case '/api/names':
        this.json(
          res,
          200,
          this.cached('names', () => index.byName()),
        );
        return;
      case '/api/open':
        this.json(res, 200, index.openSpans());
        return;
      case '/api/events': {
        res.writeHead(200, {
          ...this.headers('text/event-stream; charset=utf-8'),
          connection: 'keep-alive',
        });
        res.write(
          `retry: 1000\nevent: update\ndata: ${JSON.stringify({ ...this.summary(), changed: 'all' })}\n\n`,
        );
        this.clients.add(res);
        req.on('close', () => this.clients.delete(res));
        return;
      }
      default:
        this.json(res, 404, { error: 'not found' });
    }
  }

  /**
   * A span's full record, read back from its line in the file (a rotated
   * file through its open handle): the span `spanId` of trace `traceId`
   * (span ids may repeat across traces), or without a trace id the one
   * seen last.
   */
  protected async spanDetail(
    spanId: string,
    traceId?: string,
  ): Promise<Record<string, unknown> | undefined> {
    const index = this.index;
    const loc = index.locate(spanId.toLowerCase(), traceId?.toLowerCase());
    if (loc == null) return undefined;
    return spanDetail(index, loc, async (fileIndex, offset, length) => {
      const key = index.files[fileIndex];
      if (key == null) return undefined;
      const bytes = await this.follower.readAt(key, offset, length);
      return bytes?.toString('utf8');
    });
  }
}

export default ViewerServer;
export { scanFiles };
export type { ViewerServerOptions, ScanHandle };
