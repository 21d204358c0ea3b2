/**
 * The standard OpenTelemetry exporter environment variables
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/), read once
 * when an exporter is made. Explicit options win over them.
 */
import type {
  OtlpCompression,
  OtlpEncoding,
  OtlpHttpExporterOptions,
} from './types.js';
import { parseResourceAttributes } from './mapping.js';
import { processEnv } from '../utils/platform.js';

type Env = Record<string, string | undefined>;

const defaultEndpoint = 'http://localhost:4318';
const tracesPath = 'v1/traces';

/** A setting's text, trimmed; undefined when empty or not a string. */
function nonEmpty(value: unknown): string | undefined {
  return typeof value !== 'string' || value.trim() === ''
    ? undefined
    : value.trim();
}

/** `base` with `/v1/traces` appended, as the spec says for base endpoints. */
function appendTracesPath(base: string): string {
  return base.endsWith('/') ? base + tracesPath : base + '/' + tracesPath;
}

function parseNumber(text: string | undefined): number | undefined {
  const v = nonEmpty(text);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The URL a `'otlp+http://...'` / `'otlp+https://...'` output means: the
 * scheme without `otlp+`, and `/v1/traces` when no path is given. `'otlp'`
 * alone means the endpoint from the environment.
 */
function urlFromTarget(target: string, env: Env = processEnv()): string {
  if (target === 'otlp') return urlFromEnv(env);
  const rest = target.slice('otlp+'.length);
  let url: URL;
  try {
    url = new URL(rest);
  } catch {
    throw new TypeError(`output: '${target}' is not a valid OTLP URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(
      `output: '${target}': OTLP outputs are 'otlp+http://...' or 'otlp+https://...'`,
    );
  }
  return url.pathname === '/' || url.pathname === ''
    ? appendTracesPath(url.origin) + url.search
    : url.href;
}

/** The traces endpoint the environment names, or the default one. */
function urlFromEnv(env: Env = processEnv()): string {
  const traces = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (traces !== undefined) return traces;
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return appendTracesPath(base ?? defaultEndpoint);
}

/** Whether an output string names an OTLP destination. */
function isOtlpTarget(target: unknown): target is string {
  return (
    typeof target === 'string' &&
    (target === 'otlp' || /^otlp\+https?:\/\//i.test(target))
  );
}

/** Options from the environment, under the explicit `options`. */
function optionsFromEnv(
  options: OtlpHttpExporterOptions,
): OtlpHttpExporterOptions {
  const env = options.env ?? processEnv();
  const protocol =
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ??
    nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL);
  const encoding: OtlpEncoding | undefined =
    protocol === 'http/json'
      ? 'json'
      : protocol === 'http/protobuf'
        ? 'protobuf'
        : undefined;
  const compressionText =
    nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION) ??
    nonEmpty(env.OTEL_EXPORTER_OTLP_COMPRESSION);
  const compression: OtlpCompression | undefined =
    compressionText === 'gzip' || compressionText === 'none'
      ? compressionText
      : undefined;
  const headers = {
    // the same `k=v,k2=v2` list, values percent-encoded
    ...parseResourceAttributes(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseResourceAttributes(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
  };
  const timeout =
    parseNumber(env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT) ??
    parseNumber(env.OTEL_EXPORTER_OTLP_TIMEOUT);
  const fromEnv: OtlpHttpExporterOptions = {
    url: urlFromEnv(env),
    headers,
    encoding,
    compression,
    exportTimeout: timeout,
    maxQueueSize: parseNumber(env.OTEL_BSP_MAX_QUEUE_SIZE),
    maxBatchSize: parseNumber(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE),
    scheduledDelay: parseNumber(env.OTEL_BSP_SCHEDULE_DELAY),
    resource: parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES),
  };
  const merged: OtlpHttpExporterOptions = { ...fromEnv };
  for (const key of Object.keys(options) as Array<
    keyof OtlpHttpExporterOptions
  >) {
    if (options[key] !== undefined) (merged as any)[key] = options[key];
  }
  if (options.headers !== undefined) {
    merged.headers = { ...headers, ...options.headers };
  }
  return merged;
}

export { urlFromTarget, urlFromEnv, isOtlpTarget, optionsFromEnv };
