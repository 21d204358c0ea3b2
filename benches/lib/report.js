import fs from 'node:fs';
import path from 'node:path';

function fmtNum(n, digits = 3) {
  if (n == null || Number.isNaN(n)) return '-';
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (abs >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  if (abs >= 100) return n.toFixed(0);
  return n.toPrecision(digits);
}

function fmtRatio(r) {
  if (r == null || !Number.isFinite(r)) return '-';
  if (r >= 10) return r.toFixed(1) + 'x';
  return (r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)) + 'x';
}

const throughputColumns = [
  { key: 'contender', label: 'contender' },
  { key: 'opsPerSec', label: 'ops/s', fmt: fmtNum },
  { key: 'nsPerOp', label: 'ns/op', fmt: (v) => fmtNum(v, 3) },
  { key: 'vsNone', label: 'vs none', fmt: fmtRatio },
  { key: 'vsOtel', label: 'vs OTel', fmt: fmtRatio },
  {
    key: 'spreadPct',
    label: 'spread',
    fmt: (v) => (v == null ? '-' : v.toFixed(0) + '%'),
  },
];

/**
 * Adds throughput ratios: `vsX` is this row's ops/s divided by X's, so
 * above 1 means faster than X.
 */
function addRatios(rows, noneName = 'none', otelName = 'OpenTelemetry') {
  const none = rows.find((r) => r.contender === noneName);
  const otel = rows.find((r) => r.contender === otelName);
  for (const r of rows) {
    if (none != null) r.vsNone = r.opsPerSec / none.opsPerSec;
    if (otel != null) r.vsOtel = r.opsPerSec / otel.opsPerSec;
  }
  return rows;
}

function textTable(columns, rows) {
  const cells = rows.map((r) =>
    columns.map((c) => (c.fmt ? c.fmt(r[c.key]) : String(r[c.key] ?? '-'))),
  );
  const widths = columns.map((c, i) =>
    Math.max(c.label.length, ...cells.map((row) => row[i].length)),
  );
  const line = (vals) =>
    vals
      .map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ');
  return [
    line(columns.map((c) => c.label)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ].join('\n');
}

function targetText(t) {
  const verdict = t.met == null ? 'n/a' : t.met ? 'met' : 'MISSED';
  return `target: ${t.text} | measured: ${t.measured} | ${verdict}`;
}

/** Prints one case's table and targets. */
function printCase(result) {
  const out = [];
  out.push('');
  out.push(`## ${result.id}. ${result.title}`);
  if (result.unavailable != null) {
    out.push(`not yet available: ${result.unavailable}`);
  } else {
    out.push(textTable(result.columns ?? throughputColumns, result.rows));
  }
  for (const t of result.targets ?? []) out.push(targetText(t));
  for (const n of result.notes ?? []) out.push(`note: ${n}`);
  process.stdout.write(out.join('\n') + '\n');
}

function writeResult(dir, result, meta) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.name}.json`);
  const { columns: _columns, ...data } = result;
  fs.writeFileSync(
    file,
    JSON.stringify({ ...meta, results: data }, null, 2) + '\n',
  );
  return file;
}

function mdTable(columns, rows) {
  const head = '| ' + columns.map((c) => c.label).join(' | ') + ' |';
  const sep =
    '| ' + columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ') + ' |';
  const body = rows.map(
    (r) =>
      '| ' +
      columns
        .map((c) => (c.fmt ? c.fmt(r[c.key]) : String(r[c.key] ?? '-')))
        .join(' | ') +
      ' |',
  );
  return [head, sep, ...body].join('\n');
}

/** The results as Markdown, for the README and docs/benchmarks.md. */
function markdown(results, meta) {
  const m = meta.machine;
  const out = [
    `Measured ${meta.date.slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ` +
      `${m.memoryGiB} GiB, Node ${m.node}, ${m.os}` +
      (meta.quick ? ' (quick mode: indicative only)' : '') +
      '. Medians of interleaved rounds; ratios are throughput ratios ' +
      '(above 1x: faster than that contender).',
    '',
    '| case | target | measured | verdict |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of results) {
    if (r.unavailable != null) {
      out.push(
        `| ${r.id}. ${r.title} | - | not yet available: ${r.unavailable} | - |`,
      );
      continue;
    }
    if (r.targets == null || r.targets.length === 0) {
      out.push(`| ${r.id}. ${r.title} | (none) | see below | - |`);
    }
    for (const t of r.targets ?? []) {
      const verdict = t.met == null ? 'n/a' : t.met ? 'met' : '**missed**';
      out.push(
        `| ${r.id}. ${r.title} | ${t.text} | ${t.measured} | ${verdict} |`,
      );
    }
  }
  for (const r of results) {
    out.push('', `#### ${r.id}. ${r.title}`, '');
    if (r.unavailable != null) {
      out.push(`Not yet available: ${r.unavailable}`);
      continue;
    }
    out.push(mdTable(r.columns ?? throughputColumns, r.rows));
    for (const n of r.notes ?? []) out.push('', n);
  }
  return out.join('\n') + '\n';
}

export {
  fmtNum,
  fmtRatio,
  throughputColumns,
  addRatios,
  printCase,
  writeResult,
  markdown,
  textTable,
};
