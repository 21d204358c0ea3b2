import type Span from '../Span.js';
import type { Attributes } from '../types.js';
import type { HttpInstrumentationOptions } from './types.js';
import type * as NodeUtil from 'node:util';
import { SpanStatusCode } from '../constants.js';
import { getBuiltin } from '../utils/platform.js';
import { unreadable } from '../utils/attributes.js';

/** What replaces query values and credentials that are not recorded. */
const redacted = 'REDACTED';

/** The methods OpenTelemetry's HTTP conventions know by name. */
const knownMethods: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/** Status codes from here on are errors on a client span. */
const clientErrorStatus = 400;
/** Status codes from here on are errors on a server span. */
const serverErrorStatus = 500;

/**
 * `http.request.method` as the conventions want it: a known method in
 * upper case, anything else `_OTHER` with the original kept aside. Also
 * the span name (`GET`, `POST`, `HTTP`).
 */
function methodAttributes(method: unknown, attributes: Attributes): string {
  const original = typeof method === 'string' && method !== '' ? method : 'GET';
  const upper = original.toUpperCase();
  if (knownMethods.has(upper)) {
    attributes['http.request.method'] = upper;
    if (upper !== original) {
      attributes['http.request.method_original'] = original;
    }
    return upper;
  }
  attributes['http.request.method'] = '_OTHER';
  attributes['http.request.method_original'] = original;
  return 'HTTP';
}

/**
 * Replaces every query value by `REDACTED` (keys stay: they tell what was
 * asked, not with what), unless `keep`.
 */
function sanitizeQuery(query: string, keep: boolean): string {
  if (keep || query === '') return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : pair.slice(0, eq + 1) + redacted;
    })
    .join('&');
}

/** Splits a request target (`/a/b?x=1#f`) into path and query. */
function splitTarget(target: string): { path: string; query: string } {
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  return q < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/** Splits `host:port` / `[::1]:port`; `port` is undefined when absent. */
function splitHost(host: string): { address: string; port?: number } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (m == null) return { address: host };
  const address = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  return m[2] === undefined ? { address } : { address, port: Number(m[2]) };
}

const defaultPorts: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The attributes of an outgoing request: `url.full` (no credentials, query
 * values redacted unless asked), `server.address`, `server.port`.
 * `origin` is `scheme://host[:port]`, `target` the path and query.
 */
function clientUrlAttributes(
  origin: string,
  target: string,
  options: HttpInstrumentationOptions,
  attributes: Attributes,
): void {
  const m = /^([a-z][a-z0-9+.-]*:)\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(origin);
  if (m == null) return;
  const scheme = m[1].toLowerCase();
  const { address, port } = splitHost(m[2]);
  const { path, query } = splitTarget(target === '' ? '/' : target);
  const q = sanitizeQuery(query, options.recordQuery === true);
  attributes['url.full'] =
    `${scheme}//${m[2]}${path}${query === '' ? '' : '?' + q}`;
  if (address !== '') attributes['server.address'] = address;
  const p = port ?? defaultPorts[scheme];
  if (p !== undefined) attributes['server.port'] = p;
}

/**
 * The attributes of an incoming request: `url.scheme`, `url.path`,
 * `url.query` (values redacted unless asked), `server.address` and
 * `server.port` from the `Host` header.
 */
function serverUrlAttributes(
  scheme: string,
  target: string,
  host: unknown,
  options: HttpInstrumentationOptions,
  attributes: Attributes,
): void {
  attributes['url.scheme'] = scheme;
  const { path, query } = splitTarget(target);
  attributes['url.path'] = path === '' ? '/' : path;
  if (query !== '') {
    attributes['url.query'] = sanitizeQuery(
      query,
      options.recordQuery === true,
    );
  }
  if (typeof host === 'string' && host !== '') {
    const { address, port } = splitHost(host);
    if (address !== '') attributes['server.address'] = address;
    if (port !== undefined) attributes['server.port'] = port;
  }
}

const isProxy = getBuiltin<typeof NodeUtil>('node:util')?.types?.isProxy;

/** A header value as text, or `[unreadable]`; never runs program code. */
function headerText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return unreadable;
  }
}

/**
 * The values of a header as the program stored it (a string, a number, an
 * array of them), without running any of the program's code: no
 * `toString`, no getter, no Proxy trap, since a value read once more than
 * without tracing could behave differently the next time Node reads it.
 */
function headerValues(value: unknown): Array<string> {
  if (typeof value !== 'object' || value === null) return [headerText(value)];
  if (isProxy?.(value) !== false || !Array.isArray(value)) return [unreadable];
  const out: Array<string> = [];
  for (let i = 0; i < value.length; i++) {
    const d = Object.getOwnPropertyDescriptor(value, i);
    out.push(
      d !== undefined && 'value' in d ? headerText(d.value) : unreadable,
    );
  }
  return out;
}

/**
 * Records the headers named in `names` (lower case) that `get` finds, as
 * `http.request.header.<name>` / `http.response.header.<name>` string
 * arrays. Nothing unless asked; a value that is not a string, number,
 * boolean or bigint (or an array of them) is `[unreadable]`.
 */
function recordHeaders(
  span: Span,
  prefix: 'http.request.header.' | 'http.response.header.',
  names: ReadonlyArray<string> | undefined,
  get: (name: string) => unknown,
): void {
  if (names == null || names.length === 0) return;
  for (const name of names) {
    if (typeof name !== 'string') continue;
    const key = name.toLowerCase();
    let value: unknown;
    try {
      value = get(key);
    } catch {
      value = unreadable;
    }
    if (value == null) continue;
    span.setAttribute(prefix + key, headerValues(value));
  }
}

/**
 * Sets `http.response.status_code`, and ERROR with `error.type` set to the
 * code when it is one for this side (4xx and 5xx for a client, 5xx for a
 * server), as OpenTelemetry's HTTP conventions say.
 */
function recordStatus(
  span: Span,
  statusCode: unknown,
  side: 'client' | 'server',
): void {
  if (typeof statusCode !== 'number' || !Number.isFinite(statusCode)) return;
  span.setAttribute('http.response.status_code', statusCode);
  const limit = side === 'client' ? clientErrorStatus : serverErrorStatus;
  if (statusCode >= limit) {
    span.setAttribute('error.type', String(statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

/**
 * Ends `span` with ERROR for `error` (a thrown value, or a reason such as
 * `aborted`): an `exception` event and `error.type`.
 */
function endWithError(span: Span, error: unknown): void {
  if (span.isEnded()) return;
  const e = error as any;
  const type =
    typeof error === 'string'
      ? error
      : typeof e?.code === 'string'
        ? e.code
        : typeof e?.name === 'string'
          ? e.name
          : 'Error';
  span.setAttribute('error.type', type);
  if (typeof error === 'string') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  } else {
    span.recordException(error);
  }
  span.end();
}

export {
  redacted,
  methodAttributes,
  sanitizeQuery,
  splitTarget,
  splitHost,
  clientUrlAttributes,
  serverUrlAttributes,
  recordHeaders,
  recordStatus,
  endWithError,
};
