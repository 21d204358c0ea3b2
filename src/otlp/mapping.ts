/**
 * Live spans to OTLP, through the mapping `spantrail convert --to otlp`
 * uses (`src/reader/otlp.ts`), so an exported span and a converted file
 * agree field for field. The exporter only adds what a file cannot know:
 * the `tracestate` and extra resource attributes.
 */
import type Span from '../Span.js';
import type {
  OtlpKeyValue,
  OtlpResourceInput,
  OtlpSpanInput,
  OtlpTracesData,
} from '../format/otlp.js';
import type { OtlpExportSpan } from './protobuf.js';
import {
  toOtlpAttributes,
  toOtlpResource,
  toOtlpSpan,
} from '../format/otlp.js';
import { processInfo, runtimeInfo } from '../utils/platform.js';
import version from '../version.js';

const noAttributes = Object.freeze({});
const noList: Array<never> = [];

/** What the shared mapping reads, from an ended span. */
function spanToOtlpInput(span: Span): OtlpSpanInput {
  const input: OtlpSpanInput = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind: span.kind,
    startTime: span.startTime,
    duration: span.duration < 0 ? 0 : span.duration,
    status: span.status,
    attributes: span.attributes ?? noAttributes,
    events: span.events ?? noList,
    links: span.links ?? noList,
  };
  if (span.parentId !== undefined) input.parentId = span.parentId;
  if (span.droppedAttributes + span.droppedEvents + span.droppedLinks > 0) {
    input.dropped = {
      attributes: span.droppedAttributes,
      events: span.droppedEvents,
      links: span.droppedLinks,
    };
  }
  return input;
}

/** One span in OTLP/JSON, with its `traceState` when it has one. */
function spanToOtlp(span: Span): OtlpExportSpan {
  const out: OtlpExportSpan = toOtlpSpan(spanToOtlpInput(span));
  if (span.traceState !== undefined && span.traceState !== '') {
    out.traceState = span.traceState;
  }
  return out;
}

/** This process, as the `meta` record describes it. */
function processResource(service: string): OtlpResourceInput {
  return { service, ...processInfo() };
}

/**
 * Parses `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key2=value2`, values
 * percent-encoded), and the OTLP headers variables, which share the
 * format. Malformed members are skipped.
 */
function parseResourceAttributes(
  text: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof text !== 'string') return out;
  for (const member of text.split(',')) {
    const eq = member.indexOf('=');
    if (eq <= 0) continue;
    const key = member.slice(0, eq).trim();
    try {
      out[key] = decodeURIComponent(member.slice(eq + 1).trim());
    } catch {
      // a bad escape: skip the member
    }
  }
  return out;
}

/**
 * The resource attributes of a tracer's spans: those of the shared mapping
 * (`service.name`, `process.pid`, `host.name`, `process.runtime.*`), then
 * `telemetry.sdk.*`, then `extra` (from `OTEL_RESOURCE_ATTRIBUTES` and the
 * exporter's `resource` option), which may not override `service.name`.
 */
function resourceAttributes(
  service: string,
  extra: Record<string, unknown> | undefined,
): Array<OtlpKeyValue> {
  const base = toOtlpResource(processResource(service)).attributes;
  const { runtime } = runtimeInfo();
  const added: Record<string, unknown> = {
    'telemetry.sdk.name': 'spantrail',
    'telemetry.sdk.language': runtime === 'browser' ? 'webjs' : 'nodejs',
    'telemetry.sdk.version': version,
  };
  if (extra != null) {
    // other values are left out unread: a `toJSON` or getter could throw
    for (const key of Object.keys(extra)) {
      if (key !== 'service.name' && isScalar(extra[key])) {
        added[key] = extra[key];
      }
    }
  }
  const byKey: Map<string, OtlpKeyValue> = new Map();
  for (const kv of base) byKey.set(kv.key, kv);
  for (const kv of toOtlpAttributes(added as Record<string, any>)) {
    byKey.set(kv.key, kv);
  }
  return [...byKey.values()];
}

function isScalar(v: unknown): boolean {
  return (
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (typeof v === 'number' && Number.isFinite(v))
  );
}

/**
 * OTLP/JSON `TracesData` for a batch: one `resourceSpans` per service.
 * `resourceFor` gives the resource attributes of a service.
 */
function batchToTracesData(
  spans: ReadonlyArray<Span>,
  resourceFor: (service: string) => Array<OtlpKeyValue>,
): OtlpTracesData {
  const groups: Map<string, Array<OtlpExportSpan>> = new Map();
  for (const span of spans) {
    const service = span.tracer.service;
    let group = groups.get(service);
    if (group === undefined) {
      group = [];
      groups.set(service, group);
    }
    group.push(spanToOtlp(span));
  }
  const data: OtlpTracesData = { resourceSpans: [] };
  for (const [service, group] of groups) {
    data.resourceSpans.push({
      resource: { attributes: resourceFor(service), droppedAttributesCount: 0 },
      scopeSpans: [{ scope: { name: 'spantrail', version }, spans: group }],
    });
  }
  return data;
}

export {
  spanToOtlpInput,
  spanToOtlp,
  parseResourceAttributes,
  resourceAttributes,
  batchToTracesData,
};
