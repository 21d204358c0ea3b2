import { getBuiltin } from '../utils/platform.js';
import { withoutInstrumentation } from '../utils/suppress.js';
import version from '../version.js';

type HttpTransportOptions = {
  url: string;
  headers: Readonly<Record<string, string>>;
  contentType: string;
  gzip: boolean;
  /** Milliseconds one request may take. */
  timeout: number;
  maxAttempts: number;
  initialBackoff: number;
  maxBackoff: number;
  maxRetryAfter: number;
};

/** How a delivery ended: sent, or given up with the last answer's status. */
type DeliveryResult =
  | { ok: true }
  | { ok: false; attempts: number; status?: number; error: unknown };

type SendResult =
  | { ok: true }
  | {
      ok: false;
      retryable: boolean;
      retryAfter?: number;
      status?: number;
      error: unknown;
    };

const retryableStatus = new Set([429, 502, 503, 504]);
/** Characters of an error answer kept in the error message. */
const errorTextLength = 200;

/** Bytes of a response body read at most; the rest is cancelled. */
const maxResponseBytes = 64 * 1024;

/**
 * The first `limit` bytes of a response body as text; the rest of the body
 * is cancelled, not read. Never rejects.
 */
async function readBounded(response: Response, limit: number): Promise<string> {
  const body = response.body;
  if (body == null) return '';
  const reader = body.getReader();
  const chunks: Array<Uint8Array> = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - size;
      const chunk = value.length > room ? value.subarray(0, room) : value;
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch {
    // a body that fails midway: keep what came
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return new TextDecoder().decode(bytes);
}

/** `Retry-After` as milliseconds: delta seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const zlib = getBuiltin<{
    gzip(
      data: Uint8Array,
      cb: (error: Error | null, out: Uint8Array) => void,
    ): void;
  }>('node:zlib');
  if (zlib != null) {
    return new Promise((resolve, reject) =>
      zlib.gzip(data, (e, out) =>
        e == null ? resolve(new Uint8Array(out)) : reject(e),
      ),
    );
  }
  const stream = new Blob([data as BlobPart])
    .stream()
    .pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Delivers request bodies to one OTLP/HTTP endpoint: a POST per body, with
 * retries of 429, 502, 503, 504 and network errors under exponential
 * backoff (honouring `Retry-After`), until `abort()`. Never throws.
 */
class HttpTransport {
  /** Requests sent again after a retryable failure. */
  public retries = 0;
  protected options: HttpTransportOptions;
  protected shutdown = new AbortController();

  public constructor(options: HttpTransportOptions) {
    this.options = options;
  }

  /** Whether {@link abort} was called. */
  public get aborted(): boolean {
    return this.shutdown.signal.aborted;
  }

  /** Aborts requests and waits under way; later deliveries fail at once. */
  public abort(): void {
    this.shutdown.abort();
  }

  /** Sends `body` with its retries. Never rejects. */
  public async deliver(body: Uint8Array): Promise<DeliveryResult> {
    const o = this.options;
    try {
      if (o.gzip) body = await gzip(body);
    } catch (error) {
      return { ok: false, attempts: 0, error };
    }
    for (let attempt = 1; ; attempt++) {
      const r = await this.send(body);
      if (r.ok) return r;
      if (!r.retryable || attempt >= o.maxAttempts || this.aborted) {
        return {
          ok: false,
          attempts: attempt,
          status: r.status,
          error: r.error,
        };
      }
      const backoff = Math.min(
        o.initialBackoff * 2 ** (attempt - 1),
        o.maxBackoff,
      );
      // full jitter on the upper half keeps retrying clients apart
      const delay =
        r.retryAfter !== undefined
          ? Math.min(r.retryAfter, o.maxRetryAfter)
          : backoff / 2 + (Math.random() * backoff) / 2;
      this.retries++;
      await this.sleep(delay);
    }
  }

  protected async send(body: Uint8Array): Promise<SendResult> {
    const o = this.options;
    const controller = new AbortController();
    const onShutdown = () => controller.abort();
    this.shutdown.signal.addEventListener('abort', onShutdown);
    const timer = setTimeout(() => controller.abort(), o.timeout);
    (timer as any).unref?.();
    const headers: Record<string, string> = {
      'user-agent': `spantrail/${version}`,
      ...o.headers,
      'content-type': o.contentType,
    };
    if (o.gzip) headers['content-encoding'] = 'gzip';
    try {
      // an export traced by the fetch instrumentation would export itself
      const response = await withoutInstrumentation(() =>
        fetch(o.url, {
          method: 'POST',
          headers,
          body: body as BodyInit,
          signal: controller.signal,
        }),
      );
      // read the answer so the connection can be reused, but never more
      // than a small bound: a hostile collector may answer with gigabytes
      const text = await readBounded(response, maxResponseBytes);
      if (response.ok) return { ok: true };
      return {
        ok: false,
        retryable: retryableStatus.has(response.status),
        retryAfter: parseRetryAfter(response.headers.get('retry-after')),
        status: response.status,
        error: new Error(
          `HTTP ${response.status}${text === '' ? '' : ': ' + text.slice(0, errorTextLength)}`,
        ),
      };
    } catch (e) {
      // network errors and timeouts are retried; a shutdown is not
      return { ok: false, retryable: !this.aborted, error: e };
    } finally {
      clearTimeout(timer);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.shutdown.signal;
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      // a retry must not keep the process alive: close() waits for it
      (timer as any).unref?.();
      signal.addEventListener('abort', done);
    });
  }
}

export default HttpTransport;
export type { HttpTransportOptions, DeliveryResult };
export { maxResponseBytes, readBounded };
