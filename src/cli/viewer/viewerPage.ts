/**
 * The viewer page: markup, styles and the embedded {@link viewerClient},
 * served live by `spantrail serve` or written with its data by
 * `spantrail html`.
 */
import viewerClient from './viewerClient.js';

type ViewerPageOptions = {
  title: string;
  /** `live`: data from the server's API; `static`: embedded in `data`. */
  mode: 'live' | 'static';
  /** Nonce for the script (a server sends its CSP as a header). */
  nonce?: string;
  data?: unknown;
};

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe inside `<script>`: `<`, `>` and `&` as `\u` escapes, so no
 * string can close the element or open a comment; U+2028/2029 too.
 */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const css = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d2330;--mute:#667085;--line:#e3e6ee;--head:#f4f6fa;--sel:#fff1c7;--zebra:#fafbfd;--err:#d23c3c;--open:#e08a2b;--accent:#2f6fd0;--panel:#fbfcfe}
[data-theme=dark]{--bg:#14171c;--fg:#dfe3ea;--mute:#8d96a6;--line:#2a3039;--head:#1b1f26;--sel:#3a3320;--zebra:#171b21;--err:#f0605d;--open:#f0a44b;--accent:#6aa3ff;--panel:#181c22}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#14171c;--fg:#dfe3ea;--mute:#8d96a6;--line:#2a3039;--head:#1b1f26;--sel:#3a3320;--zebra:#171b21;--err:#f0605d;--open:#f0a44b;--accent:#6aa3ff;--panel:#181c22}}
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);display:flex;flex-direction:column;overflow:hidden}
button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:2px 9px;cursor:pointer}
button:hover{border-color:var(--mute)}
button[aria-pressed=true],button[aria-selected=true]{background:var(--accent);border-color:var(--accent);color:#fff}
button.link{border:0;padding:0;background:none;color:var(--accent);text-align:left;cursor:pointer;word-break:break-all}
button.link:hover{text-decoration:underline}
input,select{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:4px 8px}
header{display:flex;align-items:center;gap:12px;padding:8px 14px;border-bottom:1px solid var(--line);background:var(--head);flex-wrap:wrap}
header h1{font-size:15px;margin:0;max-width:30vw;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
#subtitle,#summary,.mute{color:var(--mute)}
#live{width:9px;height:9px;border-radius:50%;background:var(--mute);display:inline-block}
#live.on{background:#2fb36b}
nav{display:flex;gap:4px;margin-left:auto}
main{flex:1;min-height:0;display:flex}
.view{flex:1;min-width:0;display:flex;min-height:0}
.view[hidden]{display:none}
#listpane{width:340px;flex:none;border-right:1px solid var(--line);display:flex;flex-direction:column;min-height:0}
#listtools{padding:8px;display:flex;flex-direction:column;gap:6px;border-bottom:1px solid var(--line)}
#lists{display:flex;gap:4px;flex-wrap:wrap}
#lists .n{opacity:.8;margin-left:4px;font-variant-numeric:tabular-nums}
#list-note{font-size:12px;color:var(--mute)}
#filters{display:flex;gap:6px}
#filters select{flex:1;min-width:0}
#list-more{margin:6px 10px;flex:none}
#list-more[hidden]{display:none}
#traces{list-style:none;margin:0;padding:0;overflow:auto;flex:1;outline:none}
.trace-item{padding:6px 10px;border-bottom:1px solid var(--line);cursor:pointer}
.trace-item:hover{background:var(--zebra)}
.trace-item.sel{background:var(--sel)}
.ti-top,.ti-bottom{display:flex;gap:8px;align-items:baseline;min-width:0}
.ti-bottom{flex-wrap:wrap;row-gap:0}
.ti-name{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;flex:1}
.ti-dur{font-variant-numeric:tabular-nums}
.ti-bottom{font-size:11px;color:var(--mute)}
.ti-svc{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:110px}
.ti-id,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
.ti-age{margin-left:auto}
.badge{border-radius:8px;padding:0 6px;font-size:11px;color:#fff;margin-left:6px;white-space:nowrap}
.badge.err{background:var(--err)}
.badge.open{background:var(--open)}
#tracepane{flex:1;min-width:0;display:flex;flex-direction:column;min-height:0}
#tracebar{display:flex;gap:8px;align-items:center;padding:6px 10px;border-bottom:1px solid var(--line);flex-wrap:wrap}
#trace-head{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
#range{color:var(--mute);font-variant-numeric:tabular-nums;min-width:150px;text-align:right}
.hint{color:var(--mute);font-size:11px}
#keys{padding:6px 10px;border-top:1px solid var(--line)}
.scroller{flex:1;min-height:0;overflow:auto;position:relative;outline:none}
.scroller:focus-visible{box-shadow:inset 0 0 0 2px var(--accent)}
.spacer{position:absolute;top:0;left:0;width:1px}
.scroller canvas{position:sticky;top:0;left:0;display:block}
#detail{border-top:1px solid var(--line);background:var(--panel);padding:8px 14px;max-height:40vh;overflow:auto}
#detail[hidden]{display:none}
.dhead{display:flex;align-items:center;gap:8px}
.dhead h2{font-size:14px;margin:2px 0;flex:1;word-break:break-all}
#detail h3{font-size:12px;margin:10px 0 3px;color:var(--mute)}
#detail dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
#detail dt{color:var(--mute)}
#detail dd{margin:0;white-space:pre-wrap;word-break:break-word}
#detail ul{margin:0;padding-left:18px}
.eattr{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;white-space:pre-wrap;word-break:break-word}
pre.stack{margin:4px 0;padding:6px;background:var(--head);border:1px solid var(--line);border-radius:4px;overflow:auto;font-size:12px;white-space:pre}
.bad{color:var(--err)}
.open-t{color:var(--open)}
#view-flame,#view-names,#view-open{flex-direction:column}
.bar{display:flex;gap:8px;align-items:center;padding:6px 10px;border-bottom:1px solid var(--line)}
#flame-tip{position:absolute;z-index:3;max-width:320px;background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:6px 8px;pointer-events:none;box-shadow:0 2px 8px rgba(0,0,0,.2)}
#flame-tip[hidden]{display:none}
.flamewrap{flex:1;min-height:0;position:relative;display:flex}
.tablewrap{flex:1;overflow:auto}
table{border-collapse:collapse;width:100%}
th,td{padding:3px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{position:sticky;top:0;background:var(--head);cursor:default}
th[data-sort]{cursor:pointer}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{max-width:420px;overflow:hidden;text-overflow:ellipsis}
td.hist div{display:flex;align-items:flex-end;gap:1px;height:18px}
td.hist span{display:inline-block;width:5px;background:var(--accent);opacity:.8}
`;

const body = `
<header>
<span id="live" title="live: following the files" hidden></span>
<h1 id="title"></h1>
<span id="subtitle"></span>
<span id="summary"></span>
<nav role="tablist">
<button id="tab-traces" role="tab" type="button" title="1">Traces</button>
<button id="tab-flame" role="tab" type="button" title="2">Flame graph</button>
<button id="tab-names" role="tab" type="button" title="3">By name</button>
<button id="tab-open" role="tab" type="button" title="4">In flight</button>
</nav>
<button id="theme" type="button" title="theme: system, light or dark"></button>
</header>
<main>
<section id="view-traces" class="view">
<div id="listpane">
<div id="listtools">
<input id="search" type="search" placeholder="search: name, attribute value, trace or span id (/)" autocomplete="off" spellcheck="false">
<div id="filters">
<select id="service" title="only traces with a span of this service"><option value="">all services</option></select>
<select id="process" title="only traces with a span of this process"><option value="">all processes</option></select>
</div>
<div id="lists">
<button type="button" data-sort="newest" data-filter="all">Newest<span class="n" id="count-all">0</span></button>
<button type="button" data-sort="slowest" data-filter="all">Slowest</button>
<button type="button" data-sort="newest" data-filter="errors">Errors<span class="n" id="count-errors">0</span></button>
<button type="button" data-sort="newest" data-filter="open">Open<span class="n" id="count-open">0</span></button>
</div>
<div id="list-note"></div>
</div>
<ul id="traces" role="listbox" tabindex="0" aria-label="traces"></ul>
<button id="list-more" type="button" hidden></button>
<div class="hint" id="keys">waterfall: ↑↓ select · ←→ collapse/expand · ctrl+wheel, +/− or w/s: zoom · drag, shift+wheel or a/d: pan · double-click or f: fit · 0: reset · /: search · 1-4: tabs</div>
</div>
<div id="tracepane">
<div id="tracebar">
<div id="trace-head"></div>
<button id="collapse" type="button">Collapse all</button>
<button id="expand" type="button">Expand all</button>
<button id="zout" type="button" title="zoom out (−)">−</button>
<button id="zin" type="button" title="zoom in (+)">+</button>
<button id="zreset" type="button" title="whole trace (0)">Reset</button>
<span id="range"></span>
</div>
<div id="wf" class="scroller" tabindex="0" aria-label="waterfall"><div id="wf-spacer" class="spacer"></div><canvas id="wf-canvas"></canvas></div>
<section id="detail" hidden></section>
</div>
</section>
<section id="view-flame" class="view" hidden>
<div class="bar"><strong>All traces merged by call path, heaviest first</strong><span id="flame-path" class="mute"></span><button id="flame-reset" type="button">Reset</button></div>
<div class="flamewrap"><div id="flame" class="scroller"><div id="flame-spacer" class="spacer"></div><canvas id="flame-canvas"></canvas></div><div id="flame-tip" hidden></div></div>
</section>
<section id="view-names" class="view" hidden>
<div class="tablewrap"><table id="names"><thead><tr>
<th data-sort="name">name</th><th class="num" data-sort="count">count</th><th class="num" data-sort="errors">errors</th><th class="num" data-sort="open">open</th><th class="num" data-sort="p50">p50</th><th class="num" data-sort="p95">p95</th><th class="num" data-sort="p99">p99</th><th class="num" data-sort="max">max</th><th class="num" data-sort="total">total</th><th>latency (log)</th>
</tr></thead><tbody id="names-body"></tbody></table></div>
</section>
<section id="view-open" class="view" hidden>
<div class="bar"><strong>In flight: spans started and not ended, oldest first</strong><span id="open-note" class="mute"></span></div>
<div class="tablewrap"><table><thead><tr><th class="num">open for</th><th>name</th><th>service</th><th>started</th><th>trace</th></tr></thead><tbody id="open-body"></tbody></table></div>
</section>
</main>
`;

/** The viewer page. */
function renderViewerPage(options: ViewerPageOptions): string {
  const nonce = options.nonce;
  const nonceAttr = nonce != null ? ` nonce="${escapeHtml(nonce)}"` : '';
  // A static report forbids any network access; a served page may only
  // talk to its own server.
  const csp =
    options.mode === 'static'
      ? `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">\n`
      : '';
  const data =
    options.mode === 'static'
      ? `<script type="application/json" id="spantrail-data">${scriptJson(options.data ?? {})}</script>\n`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${csp}<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>spantrail: ${escapeHtml(options.title)}</title>
<style>${css}</style>
</head>
<body>${body}${data}<script${nonceAttr}>(${viewerClient.toString()})();</script>
</body>
</html>
`;
}

export { renderViewerPage, escapeHtml, scriptJson };
export type { ViewerPageOptions };
