import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { parseTrace } from '../utils/schema.js';
import { runCli, serve, stop } from '../cli/helpers.js';
import { TraceModel, TraceReader } from '../../src/reader/index.js';

// Two unmodified programs, a server and a client calling it with `fetch`
// and `http.request`, each under the preload only and writing its own file.

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'tests/fixtures/http');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-http-'));

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const SERVER = 1;
const CLIENT = 2;
const ERROR = 2;

type Run = {
  client: Array<any>;
  server: Array<any>;
  clientFile: string;
  serverFile: string;
  seen: any;
};

/** Starts the server, runs the client against it, stops the server. */
async function runPair(name: string, instrument?: string): Promise<Run> {
  const serverFile = path.join(dir, `${name}-server.jsonl`);
  const clientFile = path.join(dir, `${name}-client.jsonl`);
  const env = (output: string) => {
    const e: Record<string, string | undefined> = {
      ...process.env,
      SPANTRAIL_OUTPUT: output,
    };
    if (instrument === undefined) delete e.SPANTRAIL_INSTRUMENT;
    else e.SPANTRAIL_INSTRUMENT = instrument;
    return e as NodeJS.ProcessEnv;
  };
  const server = spawn(
    process.execPath,
    [
      '--import',
      'file://' + path.join(root, 'dist/register.js'),
      path.join(fixtures, 'server.mjs'),
    ],
    { env: env(serverFile), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const serverExit = new Promise<number | null>((resolve) =>
    server.on('exit', (code) => resolve(code)),
  );
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.setEncoding('utf8').on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.trim());
      });
      server.on('exit', () => reject(new Error('server exited early')));
    });
    const client = spawn(
      process.execPath,
      [
        '--require',
        path.join(root, 'dist/register.cjs'),
        path.join(fixtures, 'client.cjs'),
        port,
      ],
      { env: env(clientFile), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    client.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    client.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => client.on('exit', resolve));
    if (code !== 0) throw new Error(`client failed (${code}): ${stderr}`);
    server.kill('SIGTERM');
    expect(await serverExit).toBe(0);
    const spans = (file: string) =>
      parseTrace(fs.readFileSync(file, 'utf8')).filter(
        (r) => r.type === 'span',
      );
    return {
      client: spans(clientFile),
      server: spans(serverFile),
      clientFile,
      serverFile,
      seen: JSON.parse(stdout),
    };
  } finally {
    server.kill('SIGKILL');
  }
}

/** The W3C span id (what `traceparent` and OTLP carry) of a span id. */
const w3c = (spanId: string) => spanId.slice(-16);

function byUrl(spans: Array<any>, fragment: string): Array<any> {
  return spans.filter((s) =>
    String(s.attributes['url.full'] ?? s.attributes['url.path']).includes(
      fragment,
    ),
  );
}

let all: Run;
beforeAll(async () => {
  all = await runPair('all');
}, 60000);

describe('HTTP and fetch across two processes, preload only', () => {
  test('the programs behave as without tracing', () => {
    expect(all.seen.fetchOk.status).toBe(200);
    expect(all.seen.httpOk.status).toBe(200);
    expect(all.seen.http500).toBe(500);
    expect(all.seen.nested).toBe(200);
    expect(all.seen.fetchRefused).toBe('ECONNREFUSED');
    expect(all.seen.httpRefused).toBe('ECONNREFUSED');
    expect(all.seen.fetchAborted).toBe('AbortError');
    expect(all.seen.httpAborted).toBe('ECONNRESET');
  });

  test('each SERVER span is the child of the CLIENT span that called it', () => {
    const clientSpans = all.client.filter((s) => s.kind === CLIENT);
    const serverSpans = all.server.filter((s) => s.kind === SERVER);
    // fetch ok, http ok, fetch 500, http 500, nested, two slow (aborted)
    expect(serverSpans).toHaveLength(8); // + the nested call's own
    for (const server of serverSpans) {
      const parent = [...clientSpans, ...all.server].find(
        (c) => c.kind === CLIENT && w3c(c.spanId) === server.parentId,
      );
      expect(parent).toBeDefined();
      expect(server.traceId).toBe(parent.traceId);
    }
    // what the server received is what the client's span says
    const [fetchOk] = byUrl(clientSpans, '/ok?token=');
    expect(all.seen.fetchOk.body.traceparent).toBe(
      `00-${fetchOk.traceId}-${w3c(fetchOk.spanId)}-01`,
    );
    const [httpOk] = clientSpans.filter(
      (s) => s.attributes['url.full'] === `${origin(s)}/ok?token=REDACTED`,
    );
    expect(all.seen.httpOk.body.traceparent).toBe(
      `00-${httpOk.traceId}-${w3c(httpOk.spanId)}-01`,
    );
  });

  test('a call made while serving nests under the SERVER span', () => {
    const [nestedServer] = all.server.filter(
      (s) => s.kind === SERVER && s.attributes['url.path'] === '/nested',
    );
    const [inner] = all.server.filter(
      (s) => s.kind === CLIENT && s.parentId === nestedServer.spanId,
    );
    expect(inner.attributes['url.full']).toMatch(/\/ok\?from=REDACTED$/);
    const [innerServer] = all.server.filter(
      (s) => s.kind === SERVER && s.parentId === w3c(inner.spanId),
    );
    expect(innerServer.traceId).toBe(nestedServer.traceId);
  });

  test('OpenTelemetry HTTP attributes; no query values, headers or bodies', () => {
    const [fetchOk] = byUrl(all.client, '/ok?token=');
    const port = Number(all.seen.port ?? fetchOk.attributes['server.port']);
    expect(fetchOk.name).toBe('GET');
    expect(fetchOk.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': `http://127.0.0.1:${port}/ok?token=REDACTED&page=REDACTED`,
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.response.status_code': 200,
    });
    const [serverOk] = all.server.filter(
      (s) => s.kind === SERVER && s.parentId === w3c(fetchOk.spanId),
    );
    expect(serverOk.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/ok',
      'url.query': 'token=REDACTED&page=REDACTED',
      'server.address': '127.0.0.1',
      'server.port': port,
      'client.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    const text = JSON.stringify([...all.client, ...all.server]);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('traceparent');
    expect(text).not.toContain('boom');
  });

  test('ERROR on a 500 (both sides) and on a refused connection', () => {
    const client500 = byUrl(all.client, '/500');
    expect(client500).toHaveLength(2); // fetch and http.request
    for (const c of client500) {
      expect(c.status.code).toBe(ERROR);
      expect(c.attributes['http.response.status_code']).toBe(500);
      expect(c.attributes['error.type']).toBe('500');
      const [s] = all.server.filter((x) => x.parentId === w3c(c.spanId));
      expect(s.status.code).toBe(ERROR);
      expect(s.attributes['http.response.status_code']).toBe(500);
    }
    const refused = all.client.filter(
      (s) => s.attributes['error.type'] === 'ECONNREFUSED',
    );
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.kind).toBe(CLIENT);
      expect(r.status.code).toBe(ERROR);
      expect(r.events[0].name).toBe('exception');
    }
    // successful calls are not errors
    for (const s of byUrl(all.client, '/ok?token=')) {
      expect(s.status.code).toBe(0);
    }
  });

  test('an aborted fetch or http.request ends both spans with ERROR', () => {
    const aborted = byUrl(all.client, '/slow');
    expect(aborted.map((s) => s.attributes['error.type']).sort()).toEqual([
      'AbortError',
      'ECONNRESET',
    ]);
    for (const client of aborted) {
      expect(client.status.code).toBe(ERROR);
      const [server] = all.server.filter(
        (s) => s.parentId === w3c(client.spanId),
      );
      expect(server.status.code).toBe(ERROR);
      expect(server.attributes['error.type']).toBe('aborted');
    }
  });

  test('the two files read together: one trace per call', async () => {
    const model = new TraceModel();
    await new TraceReader().readAll([all.clientFile, all.serverFile], model);
    const clientSpans = all.client.filter((s) => s.kind === CLIENT);
    // one trace per top-level client call: 9 of them (two refused)
    expect(model.traceIds()).toHaveLength(9);
    for (const traceId of model.traceIds()) {
      const roots = model.treeRoots(traceId);
      expect(roots).toHaveLength(1);
      expect(clientSpans.map((s) => s.spanId)).toContain(roots[0].spanId);
    }
    const otlp = await runCli(
      ['convert', all.clientFile, all.serverFile, '--to', 'otlp'],
      { cwd: dir },
    );
    expect(otlp.code).toBe(0);
    const spans = JSON.parse(otlp.stdout).resourceSpans.flatMap((rs: any) =>
      rs.scopeSpans.flatMap((ss: any) => ss.spans),
    );
    for (const s of spans.filter((x: any) => x.kind === 2)) {
      // OTLP's SERVER is 2 (its enum starts at UNSPECIFIED)
      const parent = spans.find((p: any) => p.spanId === s.parentSpanId);
      expect(parent.kind).toBe(3); // CLIENT
      expect(parent.traceId).toBe(s.traceId);
    }
    const view = await runCli(
      ['view', '--no-color', all.clientFile, all.serverFile],
      { cwd: dir },
    );
    expect(view.code).toBe(0);
    expect(view.stdout.match(/^trace /gm)).toHaveLength(9);
    expect(view.stdout).toMatch(/GET .*client.*\n└─ GET .*server/);
    const stats = await runCli(
      ['stats', '--json', all.clientFile, all.serverFile],
      { cwd: dir },
    );
    expect(stats.code).toBe(0);
    const figures = JSON.parse(stats.stdout);
    expect(figures.traces).toBe(9);
    expect(figures.spans).toBe(all.client.length + all.server.length);
    expect(figures.open).toEqual([]);
    // each trace holds its client call and what the server did for it
    const nested = figures.recent.find((t: any) => t.spanCount === 4);
    expect(nested.rootName).toBe('GET');
    // spantrail serve, on both files: the same nine traces, one root each
    const served = await serve([all.clientFile, all.serverFile]);
    try {
      const api = async (p: string) =>
        (await fetch(`${served.origin}/api/${p}token=${served.token}`)).json();
      // the server reads the files after it prints its URL
      for (let i = 0; i < 100 && (await api('summary?')).loaded !== true; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const list = await api('traces?limit=100&');
      expect(list.total).toBe(9);
      for (const t of list.traces) {
        const table = await api(`trace?id=${t.id}&`);
        expect(table).toBeDefined();
        expect(t.spans).toBeGreaterThan(0);
      }
      expect(list.traces.map((t: any) => t.spans).sort()).toEqual(
        figures.recent.map((t: any) => t.spanCount).sort(),
      );
    } finally {
      await stop(served);
    }
  });

  test('SPANTRAIL_INSTRUMENT=none: no span; =http: no fetch span', async () => {
    const none = await runPair('none', 'none');
    expect(none.seen.fetchOk.body.traceparent).toBeNull();
    expect(none.client).toHaveLength(0);
    expect(none.server).toHaveLength(0);
    const http = await runPair('http', 'http');
    expect(http.seen.fetchOk.body.traceparent).toBeNull();
    expect(http.seen.httpOk.body.traceparent).not.toBeNull();
    expect(byUrl(http.client, '/ok?token=')).toHaveLength(1);
  }, 60000);
});

function origin(span: any): string {
  return `http://${span.attributes['server.address']}:${span.attributes['server.port']}`;
}
