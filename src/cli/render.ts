/**
 * Text renderings of a {@link TraceModel} for `spantrail view`.
 */
import type {
  AttributeValue,
  Attributes,
  SpanNode,
  TraceModel,
  TreeEntry,
} from '../reader/index.js';
import type Colors from './Colors.js';
import { formatDuration } from '../reader/index.js';
import { maxGuideDepth } from '../reader/TraceModel.js';
import { clean, padStart, truncate, width } from './util.js';
import { plural } from '../reader/format.js';
import { spanKindNames as kindNames, SpanStatusCode } from '../constants.js';

type RenderOptions = {
  colors: Colors;
  /** Columns available (time mode bars and line truncation). */
  width: number;
  /** Show each span's attributes on a line under it. */
  attributes?: boolean;
};

/** `key=value` pairs, values cut short and control characters escaped. */
function formatAttributes(attributes: Attributes | undefined): string {
  if (attributes == null) return '';
  const parts: Array<string> = [];
  for (const key of Object.keys(attributes)) {
    const v: AttributeValue = attributes[key];
    let text = Array.isArray(v) ? JSON.stringify(v) : String(v);
    // Stack traces: the first line says enough in a tree.
    const nl = text.indexOf('\n');
    if (nl >= 0) text = text.slice(0, nl) + ' …';
    text = truncate(clean(text), 80);
    if (typeof v === 'string' && (text === '' || /\s/.test(text))) {
      text = JSON.stringify(text);
    }
    parts.push(`${clean(key)}=${text}`);
  }
  return parts.join(' ');
}

/** The header line of a trace, its root name cut to fit `maxWidth`. */
function traceHeader(
  model: TraceModel,
  traceId: string,
  colors: Colors,
  maxWidth: number = Infinity,
): string {
  const s = model.summary(traceId);
  const head = `trace ${traceId}`;
  const tail = [plural(s.spanCount, 'span'), formatDuration(s.duration)];
  const marks: Array<string> = [];
  if (s.openCount > 0) marks.push(`${s.openCount} unfinished`);
  if (s.errorCount > 0) marks.push(plural(s.errorCount, 'error'));
  const fixed = width([head, ...tail, ...marks].join('  ')) + 2;
  const root = truncate(clean(s.rootName), Math.max(8, maxWidth - fixed));
  return [
    colors.bold(head),
    root,
    ...tail,
    ...marks.map((m) => colors.red(m)),
  ].join('  ');
}

/** Process label when a span comes from a different process than its parent. */
function processNote(
  model: TraceModel,
  node: SpanNode,
  colors: Colors,
): string {
  const parent = model.parentOf(node);
  const meta = node.source.meta;
  if (parent != null && parent.source.file === node.source.file) return '';
  if (parent == null && model.metas.length <= 1) return '';
  const label =
    meta != null
      ? `${meta.service}${meta.pid != null ? ` pid ${meta.pid}` : ''}`
      : node.source.file;
  return colors.cyan(`[${clean(label)}]`);
}

/** Status, unfinished mark and notes for one span. */
function spanSuffix(
  model: TraceModel,
  node: SpanNode,
  colors: Colors,
): Array<string> {
  const parts: Array<string> = [];
  if (node.open) {
    const openFor = Math.max(0, model.lastTime - node.startTime) * 1000;
    parts.push(colors.red(`UNFINISHED (open ≥ ${formatDuration(openFor)})`));
  } else {
    parts.push(formatDuration(node.duration!));
  }
  if (node.kind !== 0) parts.push(colors.dim(kindNames[node.kind]));
  if (node.status.code === SpanStatusCode.ERROR) {
    const msg = node.status.message;
    parts.push(
      colors.red(
        msg != null && msg !== ''
          ? `ERROR: ${truncate(clean(msg), 80)}`
          : 'ERROR',
      ),
    );
  } else if (node.status.code === 1) {
    parts.push(colors.green('OK'));
  }
  const proc = processNote(model, node, colors);
  if (proc !== '') parts.push(proc);
  if (node.parentId != null && model.parentOf(node) == null) {
    parts.push(colors.dim(`(parent ${node.parentId} not in input)`));
  }
  return parts;
}

/**
 * Tree guide for an entry: `│  ` / `   ` for ancestors, `├─ ` / `└─ `.
 * Past the deepest drawn level the depth is written as a number instead.
 */
function guides(entry: TreeEntry, forContinuation: boolean): string {
  if (entry.depth === 0) return '';
  const deep = entry.depth > maxGuideDepth + 1 ? `┄[${entry.depth}] ` : '';
  if (forContinuation) {
    return entry.prefix + deep + (entry.last ? '   ' : '│  ');
  }
  return entry.prefix + deep + (entry.last ? '└─ ' : '├─ ');
}

/**
 * Tree mode: each trace as a hierarchy drawn with box-drawing characters,
 * with duration, kind, status, events and unfinished spans marked.
 */
function renderTree(
  model: TraceModel,
  traceIds: Array<string>,
  options: RenderOptions,
): string {
  const { colors } = options;
  const lines: Array<string> = [];
  for (const traceId of traceIds) {
    if (lines.length > 0) lines.push('');
    lines.push(traceHeader(model, traceId, colors));
    for (const entry of model.flatten(traceId)) {
      const node = entry.node;
      const name = node.open ? colors.red(clean(node.name)) : clean(node.name);
      lines.push(
        `${guides(entry, false)}${name}  ${spanSuffix(model, node, colors).join('  ')}`,
      );
      const cont = guides(entry, true);
      // Under a span with children the guide continues down to them.
      const bar = model.childrenOf(node).length > 0 ? '│  ' : '';
      if (options.attributes === true) {
        const attrs = formatAttributes(node.attributes);
        if (attrs !== '') lines.push(`${cont}${bar}${colors.dim(attrs)}`);
      }
      for (const e of node.events) {
        const offset = (e.time - node.startTime) * 1000;
        const attrs = formatAttributes(e.attributes);
        const label =
          e.name === 'exception' ? colors.red(clean(e.name)) : clean(e.name);
        lines.push(
          `${cont}${bar}${colors.dim('•')} ${label} ${colors.dim(`+${formatDuration(offset)}`)}${attrs !== '' ? ' ' + attrs : ''}`,
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * Time mode: a bar per span on a shared timeline scaled to the width. Rows
 * are in tree order (children under their parent, siblings by start) and
 * indented by depth: sorted by start instead, a span would sit under the
 * child of an earlier sibling and read as its child.
 */
function renderTime(
  model: TraceModel,
  traceIds: Array<string>,
  options: RenderOptions,
): string {
  const { colors } = options;
  const total = options.width;
  const lines: Array<string> = [];
  for (const traceId of traceIds) {
    if (lines.length > 0) lines.push('');
    lines.push(traceHeader(model, traceId, colors, total));
    const entries = model.flatten(traceId);
    if (entries.length === 0) continue;
    let origin = Infinity;
    let end = 0;
    for (const { node } of entries) origin = Math.min(origin, node.startTime);
    for (const { node } of entries) {
      end = Math.max(end, model.endAfter(node, origin));
    }
    const span = Math.max(1, end);
    // Columns: offset(9) space duration(9) space |bar| space name.
    const fixed = 9 + 1 + 9 + 1 + 2 + 1;
    // The name column gets what the bar leaves, at most 35% of the width.
    let widest = 12;
    for (const x of entries) {
      const w =
        Math.min(x.depth, maxGuideDepth) * 2 +
        width(clean(x.node.name)) +
        (x.node.open ? 13 : 0) +
        (x.node.status.code === SpanStatusCode.ERROR ? 6 : 0);
      if (w > widest) widest = w;
    }
    const nameCol = Math.min(widest, Math.floor(total * 0.35));
    const barWidth = Math.max(10, total - fixed - nameCol);
    const axis = '0' + padStart(formatDuration(span), barWidth - 1);
    lines.push(
      colors.dim(
        `${padStart('start', 9)} ${padStart('duration', 9)}  ${axis}  name`,
      ),
    );
    for (const { node, depth } of entries) {
      const s = (node.startTime - origin) * 1000;
      const e = model.endAfter(node, origin);
      let a = Math.floor((s / span) * barWidth);
      let b = Math.ceil((e / span) * barWidth);
      a = Math.min(Math.max(0, a), barWidth - 1);
      b = Math.min(Math.max(a + 1, b), barWidth);
      const fill = node.open ? '░' : '█';
      const barText =
        ' '.repeat(a) + fill.repeat(b - a) + ' '.repeat(barWidth - b);
      const painted = node.open
        ? colors.red(barText)
        : node.status.code === SpanStatusCode.ERROR
          ? colors.red(barText)
          : colors.cyan(barText);
      const dur = node.open ? 'open' : formatDuration(node.duration!);
      let name = '  '.repeat(Math.min(depth, maxGuideDepth)) + clean(node.name);
      if (node.open) name += ' (unfinished)';
      if (node.status.code === SpanStatusCode.ERROR) name += ' ERROR';
      name = truncate(name, Math.max(4, total - fixed - barWidth));
      lines.push(
        `${padStart('+' + formatDuration(s), 9)} ${padStart(dur, 9)} │${painted}│ ${node.open || node.status.code === SpanStatusCode.ERROR ? colors.red(name) : name}`,
      );
      if (options.attributes === true) {
        const attrs = formatAttributes(node.attributes);
        if (attrs !== '') {
          lines.push(
            `${' '.repeat(20)}│${' '.repeat(barWidth)}│ ${'  '.repeat(depth + 1)}${colors.dim(attrs)}`,
          );
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}

export { renderTree, renderTime, formatAttributes, traceHeader };
export type { RenderOptions };
