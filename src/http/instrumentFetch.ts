import type Span from '../Span.js';
import { hasMethod } from '../utils/attributes.js';
import type Tracer from '../Tracer.js';
import type { Attributes, SpanContext } from '../types.js';
import type {
  HttpInstrumentation,
  HttpInstrumentationOptions,
} from './types.js';
import { SpanKind } from '../constants.js';
import { isInstrumentationSuppressed } from '../utils/suppress.js';
import { subscribeChannels } from './channels.js';
import { readOptions } from './options.js';
import {
  clientUrlAttributes,
  endWithError,
  methodAttributes,
  recordHeaders,
  recordStatus,
} from './attributes.js';

/**
 * A header of an undici request: an array `[name, value, ...]` (undici 6
 * and later, Node's `fetch`) or raw `name: value\r\n` text (undici 5).
 */
function getRequestHeader(headers: unknown, name: string): unknown {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return headers[i + 1];
    }
    return undefined;
  }
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) {
        return line.slice(colon + 1).trim();
      }
    }
  }
  return undefined;
}

/**
 * Sets a header of an undici request, replacing one the program set (a
 * second `traceparent` would make both unusable).
 */
function setRequestHeader(request: any, name: string, value: string): void {
  const headers = request.headers;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) {
        headers[i + 1] = value;
        return;
      }
    }
  } else if (typeof headers === 'string') {
    const line = new RegExp(`^${name}:[^\\r]*\\r\\n`, 'im');
    if (line.test(headers)) {
      request.headers = headers.replace(line, `${name}: ${value}\r\n`);
      return;
    }
  }
  request.addHeader(name, value);
}

/** A response header of undici's `headers` message: raw `[name, value]` buffers. */
function getResponseHeader(headers: unknown, name: string): unknown {
  if (!Array.isArray(headers)) return undefined;
  const values: Array<string> = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === name) {
      values.push(String(headers[i + 1]));
    }
  }
  return values.length === 0 ? undefined : values;
}

/**
 * Traces the global `fetch` (and the `undici` package) from undici's
 * diagnostics channels (`undici:request:create`, `headers`, `trailers`,
 * `error`): a CLIENT span per request, child of the span active when
 * `fetch` was called, with `traceparent`/`tracestate` added to its headers.
 * Attributes as {@link instrumentHttp}'s client spans. The span ends when
 * the response body has been read (ERROR for 4xx/5xx, a failed or aborted
 * request); a response whose body is never read leaves it open, as it
 * leaves the connection. A redirect followed is a span of its own.
 *
 * Does nothing where the runtime has no `diagnostics_channel`. Returns
 * `{ tracer, uninstrument() }`.
 */
function instrumentFetch(
  tracer: Tracer,
  options: HttpInstrumentationOptions = {},
): HttpInstrumentation {
  if (!hasMethod(tracer, 'startSpan')) {
    throw new TypeError('instrumentFetch: expected a tracer');
  }
  const opts = readOptions('instrumentFetch', options);
  const propagate = opts.propagate !== false;
  let enabled = true;
  const spans: WeakMap<object, Span> = new WeakMap();

  const unsubscribe = subscribeChannels({
    'undici:request:create': ({ request }) => {
      if (!enabled || !tracer.enabled || isInstrumentationSuppressed()) return;
      if (spans.has(request)) return;
      const attributes: Attributes = {};
      const name = methodAttributes(request.method, attributes);
      clientUrlAttributes(
        String(request.origin),
        typeof request.path === 'string' ? request.path : '/',
        opts,
        attributes,
      );
      const span = tracer.startSpan(name, {
        kind: SpanKind.CLIENT,
        attributes,
      });
      spans.set(request, span);
      recordHeaders(span, 'http.request.header.', opts.requestHeaders, (n) =>
        getRequestHeader(request.headers, n),
      );
      if (propagate) {
        const carrier: Record<string, string> = {};
        tracer.inject(carrier, span.spanContext() as SpanContext);
        for (const [key, value] of Object.entries(carrier)) {
          setRequestHeader(request, key, value);
        }
      }
    },
    'undici:request:headers': ({ request, response }) => {
      const span = spans.get(request);
      if (span === undefined || span.isEnded()) return;
      recordStatus(span, response?.statusCode, 'client');
      recordHeaders(span, 'http.response.header.', opts.responseHeaders, (n) =>
        getResponseHeader(response?.headers, n),
      );
    },
    'undici:request:trailers': ({ request }) => {
      const span = spans.get(request);
      if (span !== undefined && !span.isEnded()) span.end();
    },
    'undici:request:error': ({ request, error }) => {
      const span = spans.get(request);
      if (span !== undefined) endWithError(span, error);
    },
  });
  return {
    tracer,
    uninstrument() {
      enabled = false;
      unsubscribe?.();
    },
  };
}

export default instrumentFetch;
export { getRequestHeader, getResponseHeader };
