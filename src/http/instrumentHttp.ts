import type Span from '../Span.js';
import { hasMethod } from '../utils/attributes.js';
import type Tracer from '../Tracer.js';
import type { Attributes } from '../types.js';
import type { HttpInstrumentation, InstrumentHttpOptions } from './types.js';
import { SpanKind } from '../constants.js';
import { getBuiltin } from '../utils/platform.js';
import { isInstrumentationSuppressed } from '../utils/suppress.js';
import { guarded, subscribeChannels } from './channels.js';
import { readOptions } from './options.js';
import {
  clientUrlAttributes,
  endWithError,
  methodAttributes,
  recordHeaders,
  recordStatus,
  serverUrlAttributes,
} from './attributes.js';

/**
 * Node publishes `http.client.request.created` (before the headers are
 * written) from 23.2 (and on some 22.x). Before that, the only client
 * channel comes after the headers went out, so `traceparent` is written
 * from a hook on `ClientRequest.prototype._implicitHeader`, which renders
 * them. Where both happen the request's span is made once.
 */
function hasCreatedChannel(): boolean {
  const v = (globalThis as any).process?.versions?.node;
  if (typeof v !== 'string') return false;
  const [major, minor] = v.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 2);
}

/**
 * Traces Node's `http` and `https` modules from their diagnostics channels:
 * a CLIENT span per outgoing request (`http.request`, `http.get`, and what
 * libraries build on them) with `traceparent`/`tracestate` written into its
 * headers, and a SERVER span per incoming request, child of the
 * `traceparent` it carries (else a new trace), active while the server's
 * `request` listeners run. Attributes follow OpenTelemetry's HTTP
 * conventions (`http.request.method`, `url.full` or `url.path`/`url.query`,
 * `server.address`, `server.port`, `http.response.status_code`); query
 * values, headers and bodies are not recorded unless asked. A client span
 * ends when its response has been read (ERROR for 4xx/5xx, a failed or
 * aborted request); a server span when its response is sent (ERROR for
 * 5xx, or when the connection closed first).
 *
 * Does nothing where the runtime has no `diagnostics_channel`. Returns
 * `{ tracer, uninstrument() }`.
 */
function instrumentHttp(
  tracer: Tracer,
  options: InstrumentHttpOptions = {},
): HttpInstrumentation {
  if (!hasMethod(tracer, 'startSpan')) {
    throw new TypeError('instrumentHttp: expected a tracer');
  }
  const opts = readOptions('instrumentHttp', options);
  const propagate = opts.propagate !== false;
  let enabled = true;
  /** Requests seen: their span, or null when not traced (suppressed). */
  const clientSpans: WeakMap<object, Span | null> = new WeakMap();
  const serverSpans: WeakMap<object, Span> = new WeakMap();
  /** Requests whose response arrived: the response ends their span. */
  const responded: WeakSet<object> = new WeakSet();

  const clientSpan = (request: any): Span | undefined => {
    const known = clientSpans.get(request);
    if (known !== undefined) return known ?? undefined;
    if (!enabled || !tracer.enabled || isInstrumentationSuppressed()) {
      clientSpans.set(request, null);
      return undefined;
    }
    const attributes: Attributes = {};
    const name = methodAttributes(request.method, attributes);
    let host: unknown;
    try {
      host = request.getHeader('host');
    } catch {
      host = undefined;
    }
    if (typeof host !== 'string') host = request.host;
    const protocol =
      typeof request.protocol === 'string' ? request.protocol : 'http:';
    clientUrlAttributes(
      `${protocol}//${String(host)}`,
      typeof request.path === 'string' ? request.path : '/',
      opts,
      attributes,
    );
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
    clientSpans.set(request, span);
    // an upgrade (WebSocket) has no response to finish, and an abort()ed
    // request no error: both only close
    request.once(
      'close',
      guarded(() => {
        if (span.isEnded() || responded.has(request)) return;
        const status = request.res?.statusCode;
        if (typeof status !== 'number') {
          endWithError(span, 'aborted');
          return;
        }
        recordStatus(span, status, 'client');
        span.end();
      }),
    );
    recordHeaders(span, 'http.request.header.', opts.requestHeaders, (n) =>
      request.getHeader(n),
    );
    if (propagate && request.headersSent !== true) {
      try {
        tracer.inject(request, span);
      } catch {
        // headers already rendered: the request goes out without them
      }
    }
    return span;
  };

  const finishServer = (span: Span, response: any) => {
    if (span.isEnded()) return;
    recordStatus(span, response.statusCode, 'server');
    recordHeaders(span, 'http.response.header.', opts.responseHeaders, (n) =>
      response.getHeader(n),
    );
    if (response.writableFinished === true) span.end();
    else endWithError(span, 'aborted');
  };

  const handlers: Record<string, (message: any) => void> = {};
  if (opts.client !== false) {
    handlers['http.client.request.created'] = ({ request }) => {
      clientSpan(request);
    };
    handlers['http.client.request.start'] = ({ request }) => {
      clientSpan(request);
    };
    handlers['http.client.request.error'] = ({ request, error }) => {
      const span = clientSpans.get(request);
      if (span != null) endWithError(span, error);
    };
    handlers['http.client.response.finish'] = ({ request, response }) => {
      const span = clientSpans.get(request);
      if (span == null || span.isEnded()) return;
      responded.add(request);
      recordStatus(span, response.statusCode, 'client');
      recordHeaders(
        span,
        'http.response.header.',
        opts.responseHeaders,
        (n) => response.headers?.[n],
      );
      // the body is part of the call: the span ends when it has been read
      response.once(
        'close',
        guarded(() => {
          if (span.isEnded()) return;
          if (response.complete === true) span.end();
          else endWithError(span, 'aborted');
        }),
      );
    };
  }
  if (opts.server !== false) {
    handlers['http.server.request.start'] = ({ request, response, socket }) => {
      if (!enabled || !tracer.enabled || isInstrumentationSuppressed()) return;
      const attributes: Attributes = {};
      const name = methodAttributes(request.method, attributes);
      serverUrlAttributes(
        socket?.encrypted === true ? 'https' : 'http',
        typeof request.url === 'string' ? request.url : '/',
        request.headers?.host,
        opts,
        attributes,
      );
      if (typeof socket?.remoteAddress === 'string') {
        attributes['client.address'] = socket.remoteAddress;
        attributes['network.peer.address'] = socket.remoteAddress;
      }
      if (typeof socket?.remotePort === 'number') {
        attributes['network.peer.port'] = socket.remotePort;
      }
      if (typeof request.httpVersion === 'string') {
        attributes['network.protocol.version'] = request.httpVersion;
      }
      // the remote parent or a new trace: what is active here belongs to
      // whatever ran on this connection before
      const span = tracer.startSpan(name, {
        parent: tracer.extract(request.headers) ?? null,
        kind: SpanKind.SERVER,
        attributes,
      });
      serverSpans.set(response, span);
      recordHeaders(
        span,
        'http.request.header.',
        opts.requestHeaders,
        (n) => request.headers?.[n],
      );
      response.once(
        'close',
        guarded(() => finishServer(span, response)),
      );
      // the `request` listeners run next, in this same synchronous turn
      tracer.context.enter?.(span);
    };
    handlers['http.server.response.finish'] = ({ response }) => {
      const span = serverSpans.get(response);
      if (span !== undefined) finishServer(span, response);
    };
  }

  const unsubscribe = subscribeChannels(handlers);
  let unhook: (() => void) | undefined;
  if (
    unsubscribe !== undefined &&
    opts.client !== false &&
    propagate &&
    !hasCreatedChannel()
  ) {
    unhook = hookImplicitHeader(clientSpan);
  }
  return {
    tracer,
    uninstrument() {
      enabled = false;
      unsubscribe?.();
      unhook?.();
    },
  };
}

/**
 * Before Node 23.2 no channel may come before a client request's headers
 * are written; `_implicitHeader` renders them (on the first `write` or `end`),
 * so the span starts there and its `traceparent` goes out with them.
 */
function hookImplicitHeader(
  onRequest: (request: unknown) => void,
): (() => void) | undefined {
  const http = getBuiltin('node:http');
  const proto = http?.ClientRequest?.prototype;
  const original = proto?._implicitHeader;
  if (typeof original !== 'function') return undefined;
  const hooked = function (this: unknown) {
    try {
      onRequest(this);
    } catch {
      // never break the program's request
    }
    // eslint-disable-next-line prefer-rest-params
    return original.apply(this, arguments);
  };
  proto._implicitHeader = hooked;
  return () => {
    if (proto._implicitHeader === hooked) proto._implicitHeader = original;
  };
}

export default instrumentHttp;
