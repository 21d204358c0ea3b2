/**
 * The self-contained HTML report of `spantrail html`: one file with inline
 * CSS and script, no network access (a Content-Security-Policy forbids
 * any), showing a zoomable timeline next to the span tree.
 */
import type { AttributeValue, TraceModel } from '../reader/index.js';
import type { ClientData, ClientRow } from './htmlClient.js';
import { formatDuration } from '../reader/index.js';
import htmlClient from './htmlClient.js';
import { spanKindNames as kindNames, SpanStatusCode } from '../constants.js';

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe inside `<script>`: `<`, `>` and `&` as `\u` escapes so no
 * string can close the element or open a comment; U+2028/2029 too.
 */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function valueText(v: AttributeValue): string {
  return Array.isArray(v) ? JSON.stringify(v) : String(v);
}

/** Builds the data the page script renders. */
function reportData(model: TraceModel, title: string): ClientData {
  let origin = Infinity;
  let end = 0;
  for (const s of model.spans.values()) origin = Math.min(origin, s.startTime);
  if (origin === Infinity) origin = 0;
  for (const s of model.spans.values()) {
    end = Math.max(end, model.endAfter(s, origin) / 1000);
  }
  const rows: Array<ClientRow> = [];
  const traces: ClientData['traces'] = [];
  let errors = 0;
  let open = 0;
  for (const traceId of model.traceIds()) {
    const summary = model.summary(traceId);
    const info = [
      `${summary.spanCount} span${summary.spanCount === 1 ? '' : 's'}`,
      formatDuration(summary.duration),
    ];
    if (summary.openCount > 0) info.push(`${summary.openCount} unfinished`);
    if (summary.errorCount > 0) {
      info.push(
        `${summary.errorCount} error${summary.errorCount === 1 ? '' : 's'}`,
      );
    }
    const trace = {
      id: traceId,
      root: summary.rootName,
      info: info.join(' · '),
      rows: [] as Array<number>,
    };
    for (const entry of model.flatten(traceId)) {
      const n = entry.node;
      let guide = '';
      for (let d = 1; d < entry.depth; d++)
        guide += entry.lasts[d] ? '   ' : '│  ';
      if (entry.depth > 0) guide += entry.lasts[entry.depth] ? '└─ ' : '├─ ';
      const meta = n.source.meta;
      const durUs = model.durationOf(n) / 1000;
      if (n.open) open++;
      if (n.status.code === SpanStatusCode.ERROR) errors++;
      trace.rows.push(rows.length);
      rows.push({
        n: n.name,
        t: traces.length,
        g: guide,
        s: n.startTime - origin,
        u: durUs,
        o: n.open,
        c: n.status.code,
        m: n.status.message ?? '',
        k: kindNames[n.kind],
        p:
          meta != null
            ? `${meta.service}${meta.pid != null ? ` (pid ${meta.pid})` : ''} · ${n.source.file}`
            : n.source.file,
        id: n.spanId,
        pid: n.parentId ?? '',
        a: Object.keys(n.attributes).map((k) => [
          k,
          valueText(n.attributes[k]),
        ]),
        e: n.events.map((e) => [
          e.name,
          e.time - origin,
          e.attributes != null
            ? Object.keys(e.attributes)
                .map((k) => `${k}=${valueText(e.attributes![k])}`)
                .join('  ')
            : '',
        ]),
        dt: formatDuration(model.durationOf(n)),
      });
    }
    traces.push(trace);
  }
  const summary = [
    `${rows.length} span${rows.length === 1 ? '' : 's'}`,
    `${traces.length} trace${traces.length === 1 ? '' : 's'}`,
    formatDuration(end * 1000),
  ];
  if (open > 0) summary.push(`${open} unfinished`);
  if (errors > 0) summary.push(`${errors} error${errors === 1 ? '' : 's'}`);
  return { title, summary: summary.join(' · '), end, traces, rows };
}

const css = `
:root{--bg:#fff;--fg:#1d2330;--mute:#6b7385;--line:#e4e7ee;--bar:#3b82c4;--bar2:#6aa8e0;--err:#d23c3c;--open:#e0892b;--sel:#fff4d6;--head:#f4f6fa}
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);display:flex;flex-direction:column}
header{display:flex;align-items:center;gap:16px;padding:10px 16px;border-bottom:1px solid var(--line);background:var(--head)}
header h1{font-size:15px;margin:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:40vw}
#summary{color:var(--mute)}
.tools{margin-left:auto;display:flex;gap:6px;align-items:center}
.tools button{font:inherit;border:1px solid #c9cfdb;background:#fff;border-radius:4px;padding:2px 10px;cursor:pointer}
.tools button:hover{background:#eef2f8}
#range{color:var(--mute);font-variant-numeric:tabular-nums;min-width:200px;text-align:right}
.hint{color:var(--mute);font-size:12px}
#timeline{flex:1;overflow:auto;position:relative;user-select:none}
#timeline.dragging{cursor:grabbing}
.axisrow{position:sticky;top:0;z-index:2;display:flex;background:#fff;border-bottom:1px solid var(--line);height:24px}
.axisrow .label{font-weight:600;color:var(--mute);padding:3px 8px}
#axis{position:relative;flex:1;overflow:hidden;cursor:grab}
.tick{position:absolute;top:0;bottom:0;border-left:1px solid var(--line);padding:3px 4px;color:var(--mute);font-size:11px;white-space:nowrap;font-variant-numeric:tabular-nums}
.label{width:var(--labelw,420px);flex:none;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding:0 8px;border-right:1px solid var(--line)}
.trace{position:sticky;left:0;display:flex;gap:12px;padding:6px 8px;background:var(--head);border-top:1px solid var(--line);border-bottom:1px solid var(--line);font-size:12px}
.trace .tid{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--mute)}
.trace .troot{font-weight:600}
.trace .tinfo{color:var(--mute)}
.row{display:flex;height:22px;align-items:stretch;cursor:pointer}
.row:hover{background:#f6f8fb}
.row.sel{background:var(--sel)}
.row .label{display:flex;align-items:center;gap:6px}
.guide{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;color:#aab1c0;white-space:pre}
.name{overflow:hidden;text-overflow:ellipsis}
.dur{margin-left:auto;color:var(--mute);font-variant-numeric:tabular-nums;font-size:12px}
.row.err .name,.row.err .dur{color:var(--err)}
.row.open .name,.row.open .dur{color:var(--open);font-weight:600}
.lane{position:relative;flex:1;overflow:hidden;cursor:grab}
.bar{position:absolute;top:5px;height:12px;min-width:2px;border-radius:2px;background:linear-gradient(var(--bar2),var(--bar))}
.row.err .bar{background:var(--err)}
.row.open .bar{background:repeating-linear-gradient(45deg,var(--open) 0 6px,#f6c38f 6px 12px);border-right:2px dashed var(--err)}
.mark{position:absolute;top:3px;width:8px;height:8px;margin-left:-4px;transform:rotate(45deg);background:#1d2330;border:1px solid #fff}
.mark.exc{background:var(--err)}
#details{border-top:1px solid var(--line);padding:8px 16px;max-height:32vh;overflow:auto;background:#fbfcfe}
#details h2{font-size:14px;margin:2px 0 6px}
#details h3{font-size:12px;margin:8px 0 2px;color:var(--mute)}
#details dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
#details dt{color:var(--mute)}
#details dd{margin:0;white-space:pre-wrap;word-break:break-word;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
#details ul{margin:0;padding-left:18px;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;white-space:pre-wrap}
.bad{color:var(--err)}
`;

/** Renders the report page. */
function renderHtml(model: TraceModel, title: string): string {
  const data = reportData(model, title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>spantrail: ${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1 id="title"></h1>
<span id="summary"></span>
<div class="tools">
<span class="hint">wheel: zoom · drag: pan · double-click a span: fit</span>
<button id="zout" type="button" title="zoom out (-)">−</button>
<button id="zin" type="button" title="zoom in (+)">+</button>
<button id="zreset" type="button" title="show all (0)">Reset</button>
<span id="range"></span>
</div>
</header>
<main id="timeline">
<div class="axisrow"><div class="label">span</div><div id="axis"></div></div>
<div id="rows"></div>
</main>
<section id="details" hidden></section>
<script type="application/json" id="spantrail-data">${scriptJson(data)}</script>
<script>(${htmlClient.toString()})();</script>
</body>
</html>
`;
}

export { renderHtml, escapeHtml, scriptJson };
