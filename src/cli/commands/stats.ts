import type { StatsResult } from '../../reader/index.js';
import type Colors from '../Colors.js';
import {
  StatsCollector,
  formatDuration,
  formatTime,
} from '../../reader/index.js';
import {
  clean,
  colorOptions,
  colorsFor,
  inputFiles,
  issuesLine,
  padEnd,
  padStart,
  parse,
  readInputs,
  truncate,
  writeOut,
} from '../util.js';
import { plural } from '../../reader/format.js';

const help = `Usage: spantrail stats <file...> [options]

Per span name: count, errors, p50/p95/p99/max duration and total time;
spans still open; dropped counts; the most recent traces. Streams the
input in bounded memory, so it works on very large files. With no file,
reads stdin.

Options:
  --top <n>      recent traces to list (default 10)
  --json         print the figures as JSON: durations (p50 ... total,
                 duration) in nanoseconds, start times in epoch
                 microseconds, as the trace format has them; the
                 "units" field says so
  --color        force colour
  --no-color     no colour (also when NO_COLOR is set)
  -h, --help     show this help

Percentiles are exact up to 256 spans of a name; beyond that they come
from a log-bucketed histogram and are within 1% (relative) of the true
value. max and total are always exact.

Examples:
  spantrail stats trace.jsonl
  spantrail stats --json a.jsonl b.jsonl
`;

/** The units of `--json`'s numbers, stated in the output itself. */
const jsonUnits = {
  duration: 'nanoseconds',
  startTime: 'epoch microseconds',
} as const;

/** Renders {@link StatsResult} as the `stats` text report. */
function renderStats(
  r: StatsResult,
  files: number,
  skipped: string,
  colors: Colors,
): string {
  const lines: Array<string> = [];
  lines.push(
    `${plural(r.spans, 'span')} (${r.finished} finished, ${r.open.length} open), ` +
      `${plural(r.errors, 'error')}, ${plural(r.traces, 'trace')}, from ${plural(files, 'file')}`,
  );
  if (skipped !== '') lines.push(colors.yellow(skipped));
  lines.push('');
  let nameWidth = 4;
  for (const n of r.byName) {
    // Past the cap the exact width no longer matters.
    if (nameWidth >= 40) break;
    nameWidth = Math.max(nameWidth, [...clean(n.name)].length);
  }
  nameWidth = Math.min(40, nameWidth);
  const cols = ['count', 'errors', 'p50', 'p95', 'p99', 'max', 'total'];
  const widths = [7, 6, 9, 9, 9, 9, 9];
  lines.push(
    colors.bold(
      padEnd('name', nameWidth) +
        cols.map((c, i) => ' ' + padStart(c, widths[i])).join(''),
    ),
  );
  for (const n of r.byName) {
    const cells = [
      String(n.count),
      String(n.errors),
      formatDuration(n.p50),
      formatDuration(n.p95),
      formatDuration(n.p99),
      formatDuration(n.max),
      formatDuration(n.total),
    ];
    const row =
      padEnd(truncate(clean(n.name), nameWidth), nameWidth) +
      cells
        .map((c, i) => {
          const cell = ' ' + padStart(c, widths[i]);
          return i === 1 && n.errors > 0 ? colors.red(cell) : cell;
        })
        .join('');
    lines.push(row);
  }
  lines.push('');
  if (r.open.length === 0) {
    lines.push('open spans: none');
  } else {
    lines.push(colors.red(`open spans: ${r.open.length}`));
    for (const o of r.open.slice(0, 20)) {
      lines.push(
        `  ${clean(o.name)}  span ${o.spanId}  started ${formatTime(o.startTime)}  ${colors.dim(clean(o.file))}`,
      );
    }
    if (r.open.length > 20) lines.push(`  … and ${r.open.length - 20} more`);
  }
  const d = r.dropped;
  lines.push(
    `dropped: ${plural(d.records, 'record')} lost by the tracer; ` +
      `per span: ${plural(d.attributes, 'attribute')}, ${plural(d.events, 'event')}, ${plural(d.links, 'link')}`,
  );
  lines.push('');
  lines.push(`recent traces:`);
  for (const t of r.recent) {
    const parts = [
      `  ${t.traceId}`,
      clean(t.rootName),
      plural(t.spanCount, 'span'),
      formatDuration(t.duration),
    ];
    if (t.errorCount > 0) parts.push(colors.red(plural(t.errorCount, 'error')));
    if (t.openCount > 0) parts.push(colors.red(`${t.openCount} open`));
    lines.push(parts.join('  '));
  }
  return lines.join('\n') + '\n';
}

async function stats(args: Array<string>): Promise<number> {
  const { values, positionals } = parse('stats', args, {
    top: { type: 'string', default: '10' },
    json: { type: 'boolean' },
    ...colorOptions,
  });
  if (values.help === true) {
    await writeOut(help);
    return 0;
  }
  const top = Number(values.top);
  const files = inputFiles('stats', positionals);
  const collector = new StatsCollector({
    recentCount: Number.isInteger(top) && top >= 0 ? top : 10,
  });
  // Stats never look at attributes, events or links: skip copying them.
  const { issues } = await readInputs(files, collector, { details: false });
  const result = collector.result();
  issues.malformed += collector.malformedStarts;
  if (values.json === true) {
    await writeOut(
      JSON.stringify(
        { units: jsonUnits, ...result, files: files.length, issues },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  await writeOut(
    renderStats(result, files.length, issuesLine(issues), colorsFor(values)),
  );
  return 0;
}

export default stats;
export { renderStats };
