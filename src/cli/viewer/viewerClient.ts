/**
 * The viewer's page script, shared by `spantrail serve` (data from the
 * server's JSON API, live over Server-Sent Events) and the static
 * `spantrail html` report (data embedded in the page). Embedded with
 * `Function.prototype.toString`, so it must be self-contained: no imports,
 * no references to module scope.
 *
 * Trace strings only reach the page as `textContent` or canvas `fillText`,
 * never as markup, and control and bidirectional formatting characters are
 * shown as visible escapes.
 */
function viewerClient(): void {
  const w = window as any;
  const doc = document;
  const $ = (id: string): HTMLElement => doc.getElementById(id)!;
  const el = (
    tag: string,
    cls?: string,
    text?: string,
    parent?: HTMLElement,
  ): HTMLElement => {
    const e = doc.createElement(tag);
    if (cls != null) e.className = cls;
    if (text != null) e.textContent = text;
    if (parent != null) parent.appendChild(e);
    return e;
  };
  // Control characters, bidi overrides/isolates and line separators shown
  // as escapes: a name cannot reorder or hide the text around it.
  const hidden =
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g;
  const vis = (s: unknown): string =>
    String(s).replace(
      hidden,
      (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
    );
  const fmtNs = (ns: number): string => {
    if (!isFinite(ns)) return '-';
    if (ns < 0) return '-' + fmtNs(-ns);
    if (ns < 999.5) return Math.round(ns) + 'ns';
    const sig = (v: number): string =>
      v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
    if (ns < 999.5e3) return sig(ns / 1e3) + 'µs';
    if (ns < 999.5e6) return sig(ns / 1e6) + 'ms';
    if (ns < 60e9) return sig(ns / 1e9) + 's';
    const s = Math.round(ns / 1e9);
    if (s < 3600) {
      return Math.floor(s / 60) + 'm ' + String(s % 60).padStart(2, '0') + 's';
    }
    const m = Math.round(s / 60);
    return Math.floor(m / 60) + 'h ' + String(m % 60).padStart(2, '0') + 'm';
  };
  const fmtTime = (us: number): string => {
    const d = new Date(Math.floor(us / 1000));
    return isNaN(d.getTime()) ? String(us) : d.toISOString();
  };
  const kinds = ['internal', 'server', 'client', 'producer', 'consumer'];
  /** Traces the list shows at first and adds per "show more". */
  const pageSize = 500;
  /** Most traces one request asks for (the server's limit). */
  const maxPage = 5000;

  // ---- data source: the server's API, or the data embedded in the page
  const dataEl = doc.getElementById('spantrail-data');
  const embedded: any =
    dataEl != null ? JSON.parse(dataEl.textContent || '{}') : null;
  const live = embedded == null;
  const token = new URLSearchParams(w.location.search).get('token') || '';
  /** Server clock minus ours, microseconds (open spans grow with it). */
  let clockSkew = 0;
  const nowUs = (): number => Date.now() * 1000 + clockSkew;

  const localSearch = (q: string): Set<string> | null => {
    const s = q.trim().toLowerCase();
    if (s === '') return null;
    const out = new Set<string>();
    const hex = /^[0-9a-f]{1,32}$/.test(s);
    for (const id of Object.keys(embedded.tables)) {
      const t = embedded.tables[id];
      if (hex && id.startsWith(s)) out.add(id);
      for (let i = 0; i < t.spanId.length && !out.has(id); i++) {
        if (hex && t.spanId[i].startsWith(s)) out.add(id);
        else if (t.names[t.name[i]].toLowerCase().includes(s)) out.add(id);
        else {
          const d = embedded.details[id + '/' + t.spanId[i]];
          if (d != null && JSON.stringify(d).toLowerCase().includes(s)) {
            out.add(id);
          }
        }
      }
    }
    return out;
  };
  const local = (path: string, p: Record<string, string>): any => {
    switch (path) {
      case 'summary':
        return embedded.summary;
      case 'traces': {
        const hits = localSearch(p.q || '');
        const counts = { all: 0, errors: 0, open: 0 };
        const picked: Array<any> = [];
        // a trace lists its processes by number in summary.processes
        const procs: Array<any> = embedded.summary.processes || [];
        const proc = p.process
          ? procs.findIndex((x: any) => x.id === p.process)
          : -1;
        for (const t of embedded.traces) {
          if (hits != null && !hits.has(t.id)) continue;
          const mine: Array<number> = t.procs || [];
          if (
            p.service &&
            !mine.some(
              (k) => procs[k] != null && procs[k].service === p.service,
            )
          ) {
            continue;
          }
          if (p.process && !mine.includes(proc)) continue;
          counts.all++;
          if (t.errors > 0) counts.errors++;
          if (t.open > 0) counts.open++;
          if (
            p.filter === 'errors'
              ? t.errors > 0
              : p.filter === 'open'
                ? t.open > 0
                : true
          ) {
            picked.push(t);
          }
        }
        picked.sort((a, b) =>
          p.sort === 'slowest'
            ? b.duration - a.duration || b.start - a.start
            : b.start - a.start,
        );
        const offset = Math.max(0, Number(p.offset) || 0);
        const limit = Math.max(1, Number(p.limit) || pageSize);
        return {
          counts,
          total: picked.length,
          traces: picked.slice(offset, offset + limit),
        };
      }
      case 'trace':
        return embedded.tables[p.id] ?? null;
      case 'span': {
        // details are keyed by trace and span id (see staticData)
        if (p.trace) return embedded.details[p.trace + '/' + p.id] ?? null;
        const suffix = '/' + p.id;
        for (const key of Object.keys(embedded.details)) {
          if (key.endsWith(suffix)) return embedded.details[key];
        }
        return null;
      }
      case 'flame':
        return embedded.flame;
      case 'names':
        return embedded.names;
      case 'open':
        return embedded.open;
    }
    return null;
  };
  const api = async (
    path: string,
    p: Record<string, string> = {},
  ): Promise<any> => {
    if (!live) return local(path, p);
    const qs = new URLSearchParams({ ...p, token });
    const r = await w.fetch('/api/' + path + '?' + qs.toString());
    if (r.status === 404) return null;
    if (!r.ok) throw new Error('request failed: ' + r.status);
    return r.json();
  };

  // ---- theme: the system setting, or the one chosen
  const root = doc.documentElement;
  const themes = ['auto', 'light', 'dark'];
  let theme = 'auto';
  try {
    theme = w.localStorage.getItem('spantrail-theme') || 'auto';
  } catch {
    // storage unavailable (file:// in some browsers)
  }
  const applyTheme = (): void => {
    if (theme === 'auto') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
    $('theme').textContent = 'theme: ' + theme;
    redrawAll();
  };
  const css = (name: string): string =>
    w.getComputedStyle(root).getPropertyValue(name).trim() || '#888';

  // ---- tabs
  let tab = 'traces';
  const tabs = ['traces', 'flame', 'names', 'open'];
  const showTab = (name: string): void => {
    tab = name;
    want.tab = name;
    writeHash(false);
    for (const t of tabs) {
      $('view-' + t).hidden = t !== name;
      $('tab-' + t).setAttribute('aria-selected', String(t === name));
    }
    refreshTab();
  };

  // ---- summary and live updates
  let summary: any = null;
  const showSummary = (s: any): void => {
    summary = s;
    if (s == null) return;
    if (s.now != null) clockSkew = s.now - Date.now() * 1000;
    const parts = [
      s.spans + ' spans',
      s.traces + ' traces',
      s.errors + ' errors',
      s.open + ' open',
    ];
    if (live && !s.loaded && s.bytesTotal > 0) {
      parts.push(
        'loading ' + Math.floor((100 * s.bytesRead) / s.bytesTotal) + '%',
      );
    }
    const issues = s.issues;
    if (issues != null && issues.malformed + issues.torn > 0) {
      parts.push(issues.malformed + issues.torn + ' bad lines skipped');
    }
    $('summary').textContent = parts.join(' · ');
    if (live && Array.isArray(s.files)) {
      $('title').textContent = vis(s.files.join(', '));
      doc.title = 'spantrail: ' + vis(s.files.join(', '));
    }
    const services: Array<any> = Array.isArray(s.services) ? s.services : [];
    fillSelect(
      $('service') as HTMLSelectElement,
      'all services',
      services.map((r) => [r.service, vis(r.service) + ' · ' + r.traces]),
    );
    fillProcesses();
  };
  /** Options of a filter: [value, text]; the choice is kept if still there. */
  const fillSelect = (
    sel: HTMLSelectElement,
    all: string,
    rows: Array<[string, string]>,
  ): void => {
    const sig = JSON.stringify(rows);
    if (selectSig.get(sel) === sig) return;
    selectSig.set(sel, sig);
    const current = sel.value;
    sel.textContent = '';
    el('option', undefined, all, sel).setAttribute('value', '');
    for (const [value, text] of rows) {
      const o = el('option', undefined, text, sel) as HTMLOptionElement;
      o.value = value;
    }
    sel.value = current;
    if (sel.value !== current) sel.value = '';
  };
  const selectSig = new Map<HTMLSelectElement, string>();
  /** The process filter offers the processes of the chosen service. */
  const fillProcesses = (): void => {
    const service = ($('service') as HTMLSelectElement).value;
    const procs: Array<any> = Array.isArray(summary?.processes)
      ? summary.processes
      : [];
    fillSelect(
      $('process') as HTMLSelectElement,
      'all processes',
      procs
        .filter((r) => service === '' || r.service === service)
        .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))
        .map((r) => [r.id, vis(r.label) + ' · ' + r.traces]),
    );
  };

  // ---- trace list
  let sort = 'newest';
  let filter = 'all';
  let listSeq = 0;
  let listItems: Array<any> = [];
  let listCursor = -1;
  /** Traces the list shows: a page, and a page more per "show more". */
  let listShown = pageSize;
  /**
   * Loads the list: its first `listShown` traces (a few requests when they
   * are more than one may ask for), or with `more` the traces after those
   * it has.
   */
  const loadList = async (more: boolean = false): Promise<void> => {
    const seq = ++listSeq;
    const base = {
      sort,
      filter,
      q: ($('search') as HTMLInputElement).value,
      service: ($('service') as HTMLSelectElement).value,
      process: ($('process') as HTMLSelectElement).value,
    };
    const items: Array<any> = more ? listItems.slice() : [];
    const have = new Set<string>(items.map((t) => t.id));
    let r: any = null;
    // A trace may move between pages while they load (the files grow):
    // each is listed once.
    for (let off = items.length; off < listShown; off += maxPage) {
      r = await api('traces', {
        ...base,
        offset: String(off),
        limit: String(Math.min(maxPage, listShown - off)),
      });
      if (seq !== listSeq || r == null) return;
      for (const t of r.traces) {
        if (!have.has(t.id)) {
          have.add(t.id);
          items.push(t);
        }
      }
      if (off + maxPage >= r.total) break;
    }
    if (r == null) return;
    listItems = items;
    $('count-all').textContent = String(r.counts.all);
    $('count-errors').textContent = String(r.counts.errors);
    $('count-open').textContent = String(r.counts.open);
    const total: number = r.total;
    $('list-note').textContent =
      total > items.length
        ? 'showing ' + items.length + ' of ' + total
        : total + (total === 1 ? ' trace' : ' traces');
    const moreButton = $('list-more');
    moreButton.hidden = total <= items.length;
    moreButton.textContent =
      'show ' + Math.min(pageSize, total - items.length) + ' more';
    const ul = $('traces');
    // redrawn in place: the list stays where it was scrolled
    const scroll = ul.scrollTop;
    ul.textContent = '';
    listCursor = -1;
    const now = nowUs();
    listItems.forEach((t, k) => {
      const li = el('li', 'trace-item', undefined, ul);
      li.setAttribute('role', 'option');
      li.dataset.id = t.id;
      if (currentTrace != null && currentTrace.id === t.id) {
        li.classList.add('sel');
        listCursor = k;
      }
      const top = el('div', 'ti-top', undefined, li);
      el('span', 'ti-name', vis(t.root || '(no root)'), top);
      el('span', 'ti-dur', fmtNs(t.duration), top);
      const bottom = el('div', 'ti-bottom', undefined, li);
      el('span', 'ti-svc', vis(t.service), bottom);
      el('span', undefined, t.spans + ' spans', bottom);
      if (t.errors > 0) el('span', 'badge err', t.errors + ' err', bottom);
      if (t.open > 0) el('span', 'badge open', t.open + ' open', bottom);
      el('span', 'ti-id', t.id.slice(0, 8), bottom);
      const age = Math.max(0, now - t.start);
      el(
        'span',
        'ti-age',
        age < 864e8
          ? fmtNs(age * 1000) + ' ago'
          : fmtTime(t.start).slice(0, 19).replace('T', ' '),
        bottom,
      );
      li.addEventListener('click', () => openTrace(t.id));
    });
    ul.scrollTop = scroll;
  };
  /** The list from its first page: its query changed. */
  const newList = (): void => {
    listShown = pageSize;
    $('traces').scrollTop = 0;
    loadList();
  };
  let searchTimer: any = null;
  const listSoon = (): void => {
    if (searchTimer != null) w.clearTimeout(searchTimer);
    searchTimer = w.setTimeout(() => {
      searchTimer = null;
      newList();
    }, 250);
  };
  const setSort = (s: string, f: string): void => {
    sort = s;
    filter = f;
    for (const b of Array.from(doc.querySelectorAll('#lists button'))) {
      const x = b as HTMLElement;
      x.setAttribute(
        'aria-pressed',
        String(
          x.dataset.sort === sort && (x.dataset.filter ?? 'all') === filter,
        ),
      );
    }
    newList();
  };

  // ---- one trace: tree, rows, waterfall on a canvas
  type Trace = {
    id: string;
    t: any;
    n: number;
    kids: Array<Array<number>>;
    roots: Array<number>;
    depth: Int32Array;
    collapsed: Uint8Array;
    rows: Array<number>;
    rowOf: Int32Array;
    end: number;
    hasOpen: boolean;
  };
  let currentTrace: Trace | null = null;
  let selected = -1;
  let v0 = 0;
  let v1 = 1;
  const rowH = 22;
  const axisH = 26;
  const labelW = (): number =>
    Math.min(420, Math.max(220, wf.clientWidth * 0.32));
  const wf = $('wf');
  /** Levels indented before the depth is written as a number instead. */
  const maxIndent = (): number =>
    Math.max(4, Math.min(24, Math.floor((labelW() - 180) / 12)));
  const wfCanvas = $('wf-canvas') as HTMLCanvasElement;
  const wfSpacer = $('wf-spacer');

  const spanEnd = (tr: Trace, i: number): number => {
    const d = tr.t.dur[i];
    if (d >= 0) return tr.t.at[i] + d / 1000;
    // Open: until now when live, else until the last time in the input.
    const until = live ? nowUs() : tr.t.last;
    return Math.max(tr.t.at[i], until - tr.t.start);
  };

  const buildRows = (tr: Trace): void => {
    const rows: Array<number> = [];
    const stack: Array<number> = [];
    for (let k = tr.roots.length - 1; k >= 0; k--) stack.push(tr.roots[k]);
    while (stack.length > 0) {
      const i = stack.pop()!;
      tr.rowOf[i] = rows.length;
      rows.push(i);
      if (tr.collapsed[i] === 1) continue;
      const kids = tr.kids[i];
      for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
    }
    tr.rows = rows;
    // Read by tests and assistive tools: what the canvas shows.
    wf.dataset.rows = String(rows.length);
    wfSpacer.style.height = axisH + rows.length * rowH + 'px';
  };

  const makeTrace = (t: any): Trace => {
    const n = t.spanId.length;
    const kids: Array<Array<number>> = new Array(n);
    for (let i = 0; i < n; i++) kids[i] = [];
    const roots: Array<number> = [];
    for (let i = 0; i < n; i++) {
      const p = t.parent[i];
      if (p >= 0 && p !== i) kids[p].push(i);
      else roots.push(i);
    }
    // Depths iteratively; spans no root reaches (a cycle) become roots.
    const depth = new Int32Array(n).fill(-1);
    const stack: Array<number> = [];
    const visit = (r: number): void => {
      depth[r] = 0;
      stack.push(r);
      while (stack.length > 0) {
        const i = stack.pop()!;
        for (const c of kids[i]) {
          if (depth[c] < 0) {
            depth[c] = depth[i] + 1;
            stack.push(c);
          }
        }
      }
    };
    for (const r of roots) visit(r);
    for (let i = 0; i < n; i++) {
      if (depth[i] < 0) {
        roots.push(i);
        visit(i);
      }
    }
    for (let i = 0; i < n; i++) {
      kids[i] = kids[i].filter((c) => depth[c] === depth[i] + 1);
    }
    const tr: Trace = {
      id: t.id,
      t,
      n,
      kids,
      roots,
      depth,
      collapsed: new Uint8Array(n),
      rows: [],
      rowOf: new Int32Array(n),
      end: 1,
      hasOpen: false,
    };
    let end = 0;
    for (let i = 0; i < n; i++) {
      if (t.dur[i] < 0) tr.hasOpen = true;
      end = Math.max(end, spanEnd(tr, i));
    }
    tr.end = Math.max(end, 0.001);
    buildRows(tr);
    return tr;
  };

  let traceSeq = 0;
  /** Traces the user asked for that are still loading. */
  let navigating = 0;
  /** Ends a live update's wait for its refresh (the user asked for a trace). */
  let navigated: (() => void) | null = null;
  /**
   * Opens a trace: the user's choice (`history` says how the URL records
   * it: a new history entry, in place, or not at all for a trace the URL
   * asked for), or with `keepView` a live refresh of the open trace.
   */
  const openTrace = async (
    id: string,
    selectSpan?: string,
    keepView?: boolean,
    history: 'push' | 'replace' | 'none' = 'push',
  ): Promise<void> => {
    // a live refresh never overtakes a trace the user asked for (a link
    // followed while the file grows)
    if (keepView && navigating > 0) return;
    const seq = ++traceSeq;
    if (!keepView) {
      navigating++;
      navigated?.();
      want.trace = id;
      want.span = selectSpan ?? '';
      if (history !== 'none') {
        linkPending = false;
        writeHash(history === 'push');
      }
    }
    let t: any;
    try {
      t = await api('trace', { id });
    } finally {
      if (!keepView) navigating--;
    }
    if (seq !== traceSeq) return;
    if (t == null) {
      // A trace the URL names may not be read yet, or not written yet: it
      // opens when an update brings it (linkPending).
      $('trace-head').textContent =
        'trace ' + id + ' is not in the input' + (live ? ' (yet)' : '');
      return;
    }
    if (history === 'none' && !keepView) linkPending = false;
    // a live refresh redraws in place; only the user's own choice of a
    // trace brings the waterfall to the front
    if (!keepView && history === 'push' && tab !== 'traces') {
      showTab('traces');
    }
    const old = currentTrace;
    const tr = makeTrace(t);
    if (keepView && old != null && old.id === id) {
      // A live refresh: keep collapsed subtrees, selection and zoom.
      const byId = new Map<string, number>();
      t.spanId.forEach((s: string, i: number) => byId.set(s, i));
      for (let i = 0; i < old.n; i++) {
        if (old.collapsed[i] === 1) {
          const j = byId.get(old.t.spanId[i]);
          if (j != null) tr.collapsed[j] = 1;
        }
      }
      const sel = selected >= 0 ? old.t.spanId[selected] : null;
      currentTrace = tr;
      buildRows(tr);
      selected = sel != null ? (byId.get(sel) ?? -1) : -1;
    } else {
      currentTrace = tr;
      selected = -1;
      v0 = 0;
      v1 = tr.end;
      wf.scrollTop = 0;
      $('detail').hidden = true;
    }
    for (const li of Array.from(doc.querySelectorAll('.trace-item'))) {
      const x = li as HTMLElement;
      x.classList.toggle('sel', x.dataset.id === id);
    }
    const head = $('trace-head');
    head.textContent = '';
    const rootName = tr.roots.length > 0 ? t.names[t.name[tr.roots[0]]] : '';
    el('strong', undefined, vis(rootName), head);
    el('span', 'mono', ' ' + id, head);
    let errs = 0;
    let open = 0;
    for (let i = 0; i < tr.n; i++) {
      if (t.status[i] === 2) errs++;
      if (t.dur[i] < 0) open++;
    }
    el(
      'span',
      'mute',
      ' · ' +
        tr.n +
        ' spans · ' +
        fmtNs(tr.end * 1000) +
        ' · ' +
        fmtTime(t.start),
      head,
    );
    if (errs > 0) el('span', 'badge err', errs + ' errors', head);
    if (open > 0) el('span', 'badge open', open + ' open', head);
    if (selectSpan != null) {
      const i = spanIndexOf(t, selectSpan);
      if (i >= 0) select(i, true);
    }
    drawWaterfall();
  };

  /** A span of a trace table by id (or by a 16-digit W3C suffix), or -1. */
  const spanIndexOf = (t: any, spanId: string): number => {
    const i = t.spanId.indexOf(spanId);
    if (i >= 0 || spanId.length !== 16) return i;
    return t.spanId.findIndex((s: string) => s.endsWith(spanId));
  };

  /** Shows no trace (Back to a URL without one). */
  const closeTrace = (): void => {
    traceSeq++;
    currentTrace = null;
    selected = -1;
    delete wf.dataset.selected;
    wf.dataset.rows = '0';
    wfSpacer.style.height = '0px';
    $('trace-head').textContent = '';
    $('detail').hidden = true;
    for (const li of Array.from(doc.querySelectorAll('.trace-item.sel'))) {
      li.classList.remove('sel');
    }
    drawWaterfall();
  };

  // ---- the URL's hash names the open trace, span and tab:
  // #trace=<id>&span=<id>&tab=<name>. The query (the token) is left alone.
  // A hash is untrusted: ids must be hex, the tab one of the tabs; anything
  // else is ignored.
  const traceIdPattern = /^[0-9a-f]{32}$/;
  const spanIdPattern = /^(?:[0-9a-f]{16}|[0-9a-f]{32})$/;
  /** The trace, span and tab the user chose (or the URL asked for). */
  const want = { trace: '', span: '', tab: 'traces' };
  /**
   * The trace the URL named is not shown yet (a live input may bring it):
   * it is asked for again on updates until the user opens another.
   */
  let linkPending = false;
  let lastHash = '';
  const readHash = (): { trace: string; span: string; tab: string } => {
    const out = { trace: '', span: '', tab: 'traces' };
    const p = new URLSearchParams(String(w.location.hash).replace(/^#/, ''));
    const trace = (p.get('trace') || '').toLowerCase();
    const span = (p.get('span') || '').toLowerCase();
    const t = p.get('tab') || '';
    if (traceIdPattern.test(trace)) {
      out.trace = trace;
      if (spanIdPattern.test(span)) out.span = span;
    }
    if (tabs.includes(t)) out.tab = t;
    return out;
  };
  /** Writes `want` into the hash: a new history entry, or in place. */
  const writeHash = (push: boolean): void => {
    const parts: Array<string> = [];
    if (traceIdPattern.test(want.trace)) {
      parts.push('trace=' + want.trace);
      if (spanIdPattern.test(want.span)) parts.push('span=' + want.span);
    }
    if (want.tab !== 'traces' && tabs.includes(want.tab)) {
      parts.push('tab=' + want.tab);
    }
    const hash = parts.length > 0 ? '#' + parts.join('&') : '';
    lastHash = hash;
    if (hash === w.location.hash) return;
    const url = hash !== '' ? hash : w.location.pathname + w.location.search;
    try {
      if (push) w.history.pushState(null, '', url);
      else w.history.replaceState(null, '', url);
    } catch {
      // refused (some browsers, for file: pages): the URL stays as it was
    }
  };
  /** Shows what the hash names (on load, Back and Forward, or an edit). */
  const applyHash = (force: boolean = false): void => {
    if (!force && w.location.hash === lastHash) return;
    const link = readHash();
    want.trace = link.trace;
    want.span = link.span;
    want.tab = link.tab;
    // the hash as it is kept: what of it was valid
    if (link.tab !== tab) showTab(link.tab);
    else writeHash(false);
    if (link.trace === '') {
      linkPending = false;
      if (currentTrace != null) closeTrace();
      return;
    }
    if (currentTrace != null && currentTrace.id === link.trace) {
      linkPending = false;
      const i = link.span !== '' ? spanIndexOf(currentTrace.t, link.span) : -1;
      if (i >= 0 && i !== selected) select(i, true);
      return;
    }
    linkPending = true;
    openTrace(link.trace, link.span || undefined, false, 'none');
  };

  const select = (i: number, reveal: boolean): void => {
    const tr = currentTrace;
    if (tr == null || i < 0 || i >= tr.n) return;
    if (reveal) {
      // Expand collapsed ancestors so the row exists.
      let changed = false;
      for (let p = tr.t.parent[i]; p >= 0; p = tr.t.parent[p]) {
        if (tr.collapsed[p] === 1) {
          tr.collapsed[p] = 0;
          changed = true;
        }
        if (tr.depth[p] === 0) break;
      }
      if (changed) buildRows(tr);
    }
    selected = i;
    wf.dataset.selected = tr.t.spanId[i];
    want.trace = tr.t.id;
    want.span = tr.t.spanId[i];
    writeHash(false);
    const row = tr.rowOf[i];
    if (tr.rows[row] === i) {
      const y = axisH + row * rowH;
      if (y - axisH < wf.scrollTop) wf.scrollTop = y - axisH;
      else if (y + rowH > wf.scrollTop + wf.clientHeight) {
        wf.scrollTop = y + rowH - wf.clientHeight;
      }
    }
    showDetail(tr.t.spanId[i], tr.t.id);
    drawWaterfall();
  };

  const toggle = (i: number, collapse?: boolean): void => {
    const tr = currentTrace;
    if (tr == null || tr.kids[i].length === 0) return;
    const next = collapse ?? tr.collapsed[i] === 0;
    tr.collapsed[i] = next ? 1 : 0;
    buildRows(tr);
    drawWaterfall();
  };

  const setAll = (collapse: boolean): void => {
    const tr = currentTrace;
    if (tr == null) return;
    for (let i = 0; i < tr.n; i++) {
      tr.collapsed[i] = collapse && tr.kids[i].length > 0 ? 1 : 0;
    }
    buildRows(tr);
    drawWaterfall();
  };

  const zoom = (factor: number, atFrac: number): void => {
    const tr = currentTrace;
    if (tr == null) return;
    const span = v1 - v0;
    const at = v0 + span * atFrac;
    let next = Math.min(tr.end * 1.05, Math.max(0.001, span * factor));
    if (next > tr.end * 1.05) next = tr.end * 1.05;
    v0 = at - next * atFrac;
    v1 = v0 + next;
    clampView();
    drawWaterfall();
  };
  const pan = (frac: number): void => {
    const span = v1 - v0;
    v0 += span * frac;
    v1 += span * frac;
    clampView();
    drawWaterfall();
  };
  const clampView = (): void => {
    const tr = currentTrace;
    if (tr == null) return;
    const span = v1 - v0;
    const lo = -tr.end * 0.02;
    const hi = tr.end * 1.03;
    if (v0 < lo) {
      v0 = lo;
      v1 = lo + span;
    }
    if (v1 > hi) {
      v1 = hi;
      v0 = Math.max(lo, hi - span);
    }
  };
  const resetZoom = (): void => {
    if (currentTrace == null) return;
    v0 = 0;
    v1 = currentTrace.end;
    drawWaterfall();
  };

  const fitCanvas = (
    c: HTMLCanvasElement,
    cw: number,
    ch: number,
  ): CanvasRenderingContext2D => {
    const dpr = w.devicePixelRatio || 1;
    if (c.width !== Math.round(cw * dpr) || c.height !== Math.round(ch * dpr)) {
      c.width = Math.round(cw * dpr);
      c.height = Math.round(ch * dpr);
      c.style.width = cw + 'px';
      c.style.height = ch + 'px';
    }
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return ctx;
  };

  const serviceColor = (k: number): string =>
    'hsl(' + ((k * 137 + 205) % 360) + ' 55% 55%)';

  let wfFrame = 0;
  const drawWaterfall = (): void => {
    if (wfFrame !== 0) return;
    wfFrame = w.requestAnimationFrame(() => {
      wfFrame = 0;
      paintWaterfall();
    });
  };
  const paintWaterfall = (): void => {
    const cw = wf.clientWidth;
    const ch = wf.clientHeight;
    if (cw === 0 || ch === 0) return;
    const ctx = fitCanvas(wfCanvas, cw, ch);
    const bg = css('--bg');
    const fg = css('--fg');
    const mute = css('--mute');
    const line = css('--line');
    ctx.fillStyle = bg;
    ctx.fillRect(0, 0, cw, ch);
    const tr = currentTrace;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    if (tr == null) {
      ctx.fillStyle = mute;
      ctx.fillText('pick a trace from the list', 16, 40);
      return;
    }
    const lw = labelW();
    const tw = Math.max(10, cw - lw - 8);
    const x = (us: number): number => lw + ((us - v0) / (v1 - v0)) * tw;
    const top = wf.scrollTop;
    const first = Math.max(0, Math.floor(top / rowH));
    const last = Math.min(tr.rows.length, Math.ceil((top + ch) / rowH) + 1);
    const t = tr.t;
    for (let r = first; r < last; r++) {
      const i = tr.rows[r];
      const y = axisH + r * rowH - top;
      if (y + rowH < axisH) continue;
      if (i === selected) {
        ctx.fillStyle = css('--sel');
        ctx.fillRect(0, y, cw, rowH);
      } else if (r % 2 === 1) {
        ctx.fillStyle = css('--zebra');
        ctx.fillRect(0, y, cw, rowH);
      }
      // label: indent, disclosure, name
      const d = tr.depth[i];
      const indent = Math.min(d, maxIndent()) * 12;
      let lx = 6 + indent;
      ctx.fillStyle = mute;
      if (d > maxIndent()) {
        ctx.fillText('⋯' + d, 2, y + rowH / 2);
      }
      if (tr.kids[i].length > 0) {
        ctx.fillText(tr.collapsed[i] === 1 ? '▸' : '▾', lx, y + rowH / 2);
      }
      lx += 14;
      const err = t.status[i] === 2;
      const open = t.dur[i] < 0;
      ctx.fillStyle = err ? css('--err') : open ? css('--open') : fg;
      let label = vis(t.names[t.name[i]]);
      if (tr.collapsed[i] === 1) label += '  (+' + countBelow(tr, i) + ')';
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, y, lw - 4, rowH);
      ctx.clip();
      ctx.fillText(label, lx, y + rowH / 2);
      ctx.restore();
      // bar
      const s = t.at[i];
      const e = spanEnd(tr, i);
      const bx = x(s);
      const bw = Math.max(1, x(e) - bx);
      if (bx + bw >= lw && bx <= cw) {
        const cx = Math.max(lw, bx);
        const cwid = Math.min(cw, bx + bw) - cx;
        ctx.fillStyle = err
          ? css('--err')
          : open
            ? css('--open')
            : serviceColor(t.proc[i]);
        ctx.fillRect(cx, y + 5, Math.max(1, cwid), rowH - 10);
        if (open) {
          ctx.fillStyle = bg;
          for (let sx = cx + 4; sx < cx + cwid; sx += 8) {
            ctx.fillRect(sx, y + 5, 2, rowH - 10);
          }
        }
        const text = open ? 'open ' + fmtNs((e - s) * 1000) : fmtNs(t.dur[i]);
        ctx.fillStyle = mute;
        const tx = Math.min(
          cx + cwid + 4,
          cw - ctx.measureText(text).width - 4,
        );
        if (tx > cx + cwid) ctx.fillText(text, tx, y + rowH / 2);
      }
    }
    // axis (drawn last: it stays on top while the rows scroll)
    ctx.fillStyle = css('--head');
    ctx.fillRect(0, 0, cw, axisH);
    ctx.strokeStyle = line;
    ctx.beginPath();
    ctx.moveTo(0, axisH - 0.5);
    ctx.lineTo(cw, axisH - 0.5);
    ctx.moveTo(lw - 0.5, 0);
    ctx.lineTo(lw - 0.5, ch);
    ctx.stroke();
    ctx.fillStyle = mute;
    ctx.fillText('span', 8, axisH / 2);
    const span = v1 - v0;
    const raw = span / Math.max(1, tw / 110);
    const pow = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * pow).find((v) => v >= raw) || raw;
    ctx.save();
    ctx.beginPath();
    ctx.rect(lw, 0, cw - lw, ch);
    ctx.clip();
    for (let v = Math.ceil(v0 / step) * step; v <= v1; v += step) {
      const px = Math.round(x(v)) + 0.5;
      ctx.strokeStyle = line;
      ctx.beginPath();
      ctx.moveTo(px, axisH - 6);
      ctx.lineTo(px, ch);
      ctx.stroke();
      ctx.fillStyle = mute;
      ctx.fillText(fmtNs(v * 1000), px + 3, axisH / 2);
    }
    ctx.restore();
    $('range').textContent =
      fmtNs(Math.max(0, v0) * 1000) + ' – ' + fmtNs(v1 * 1000);
  };
  const countBelow = (tr: Trace, i: number): number => {
    let n = 0;
    const stack = [...tr.kids[i]];
    while (stack.length > 0) {
      const c = stack.pop()!;
      n++;
      for (const k of tr.kids[c]) stack.push(k);
    }
    return n;
  };

  const rowAt = (ev: MouseEvent): number => {
    const box = wfCanvas.getBoundingClientRect();
    const y = ev.clientY - box.top;
    if (y < axisH) return -1;
    const r = Math.floor((y - axisH + wf.scrollTop) / rowH);
    return currentTrace != null && r >= 0 && r < currentTrace.rows.length
      ? currentTrace.rows[r]
      : -1;
  };
  let drag: { x: number; v0: number; v1: number; moved: boolean } | null = null;
  wfCanvas.addEventListener('mousedown', (ev) => {
    const box = wfCanvas.getBoundingClientRect();
    if (ev.clientX - box.left > labelW()) {
      drag = { x: ev.clientX, v0, v1, moved: false };
    }
  });
  w.addEventListener('mousemove', (ev: MouseEvent) => {
    if (drag == null) return;
    const dx = ev.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    const tw = Math.max(10, wf.clientWidth - labelW() - 8);
    const dv = (-dx / tw) * (drag.v1 - drag.v0);
    v0 = drag.v0 + dv;
    v1 = drag.v1 + dv;
    clampView();
    drawWaterfall();
  });
  w.addEventListener('mouseup', () => {
    w.setTimeout(() => (drag = null), 0);
  });
  wfCanvas.addEventListener('click', (ev) => {
    if (drag != null && drag.moved) return;
    const i = rowAt(ev);
    if (i < 0 || currentTrace == null) return;
    const box = wfCanvas.getBoundingClientRect();
    const x = ev.clientX - box.left;
    const d = Math.min(currentTrace.depth[i], maxIndent()) * 12 + 6;
    if (x >= d - 2 && x <= d + 14) toggle(i);
    else select(i, false);
    wf.focus();
  });
  wfCanvas.addEventListener('dblclick', (ev) => {
    const i = rowAt(ev);
    const tr = currentTrace;
    if (i < 0 || tr == null) return;
    const s = tr.t.at[i];
    const e = spanEnd(tr, i);
    const pad = Math.max(0.001, (e - s) * 0.05);
    v0 = s - pad;
    v1 = e + pad;
    drawWaterfall();
  });
  wf.addEventListener(
    'wheel',
    (ev: WheelEvent) => {
      const box = wfCanvas.getBoundingClientRect();
      const lx = ev.clientX - box.left - labelW();
      if (lx < 0) return;
      if (ev.ctrlKey || ev.metaKey || ev.altKey) {
        ev.preventDefault();
        const tw = Math.max(10, wf.clientWidth - labelW() - 8);
        zoom(Math.exp(ev.deltaY * 0.002), Math.min(1, Math.max(0, lx / tw)));
      } else if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
        ev.preventDefault();
        pan((ev.deltaX || ev.deltaY) * 0.002);
      }
    },
    { passive: false },
  );
  wf.addEventListener('scroll', () => drawWaterfall());
  wf.addEventListener('keydown', (ev: KeyboardEvent) => {
    const tr = currentTrace;
    if (tr == null) return;
    const row = selected >= 0 ? tr.rowOf[selected] : -1;
    const go = (r: number): void => {
      if (r >= 0 && r < tr.rows.length) select(tr.rows[r], false);
    };
    const pageRows = Math.max(
      1,
      Math.floor((wf.clientHeight - axisH) / rowH) - 1,
    );
    switch (ev.key) {
      case 'ArrowDown':
      case 'j':
        go(row + 1);
        break;
      case 'ArrowUp':
      case 'k':
        go(Math.max(0, row - 1));
        break;
      case 'PageDown':
        go(Math.min(tr.rows.length - 1, row + pageRows));
        break;
      case 'PageUp':
        go(Math.max(0, row - pageRows));
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(tr.rows.length - 1);
        break;
      case 'ArrowRight':
        if (selected >= 0) {
          if (tr.collapsed[selected] === 1) toggle(selected, false);
          else if (tr.kids[selected].length > 0)
            select(tr.kids[selected][0], false);
        }
        break;
      case 'ArrowLeft':
        if (selected >= 0) {
          if (tr.kids[selected].length > 0 && tr.collapsed[selected] === 0) {
            toggle(selected, true);
          } else if (tr.t.parent[selected] >= 0 && tr.depth[selected] > 0) {
            select(tr.t.parent[selected], false);
          }
        }
        break;
      case 'Enter':
      case ' ':
        if (selected >= 0) toggle(selected);
        break;
      case '+':
      case '=':
      case 'w':
        zoom(0.7, 0.5);
        break;
      case '-':
      case 's':
        zoom(1 / 0.7, 0.5);
        break;
      case 'a':
        pan(-0.2);
        break;
      case 'd':
        pan(0.2);
        break;
      case '0':
        resetZoom();
        break;
      case 'f':
        if (selected >= 0) {
          const s = tr.t.at[selected];
          const e = spanEnd(tr, selected);
          const pad = Math.max(0.001, (e - s) * 0.05);
          v0 = s - pad;
          v1 = e + pad;
          drawWaterfall();
        }
        break;
      default:
        return;
    }
    ev.preventDefault();
  });

  // ---- span detail
  let detailSeq = 0;
  const showDetail = async (spanId: string, traceId: string): Promise<void> => {
    const seq = ++detailSeq;
    const d = await api('span', { id: spanId, trace: traceId });
    if (seq !== detailSeq) return;
    const box = $('detail');
    box.textContent = '';
    box.hidden = false;
    if (d == null) {
      el('p', 'mute', 'span ' + spanId + ' is not in the input', box);
      return;
    }
    const rec = d.record;
    const head = el('div', 'dhead', undefined, box);
    el('h2', undefined, vis(rec != null ? rec.name : spanId), head);
    const close = el('button', undefined, '×', head);
    close.setAttribute('title', 'close (Esc)');
    close.addEventListener('click', () => (box.hidden = true));
    const dl = el('dl', undefined, undefined, box);
    const row = (k: string, v: string, cls?: string): HTMLElement => {
      el('dt', undefined, k, dl);
      return el('dd', cls, v, dl);
    };
    if (rec == null) {
      row('span id', spanId, 'mono');
      row('note', d.unavailable || 'no details');
      return;
    }
    const open = rec.type === 'start';
    if (open) {
      row(
        'duration',
        'open for ' + fmtNs((nowUs() - rec.startTime) * 1000),
        'open-t',
      );
    } else {
      row('duration', fmtNs(rec.duration));
    }
    row('start', fmtTime(rec.startTime));
    if (rec.status != null && rec.status.code === 2) {
      row(
        'status',
        'ERROR' + (rec.status.message ? ': ' + vis(rec.status.message) : ''),
        'bad',
      );
    } else if (rec.status != null && rec.status.code === 1) {
      row('status', 'OK');
    }
    row('kind', kinds[rec.kind] || String(rec.kind));
    row('process', vis(d.process));
    row('trace id', d.traceId, 'mono');
    row('span id', rec.spanId, 'mono');
    if (rec.parentId != null) {
      const dd = row('parent id', '', 'mono');
      const b = el('button', 'link', rec.parentId, dd);
      b.addEventListener('click', () => followSpan(rec.parentId, d.traceId));
    }
    const attrs = rec.attributes || {};
    const keys = Object.keys(attrs);
    if (keys.length > 0) {
      el('h3', undefined, 'attributes', box);
      const t = el('dl', 'attrs', undefined, box);
      for (const k of keys) {
        el('dt', undefined, vis(k), t);
        const v = attrs[k];
        el(
          'dd',
          undefined,
          vis(Array.isArray(v) ? JSON.stringify(v) : String(v)),
          t,
        );
      }
    }
    const events = rec.events || [];
    if (events.length > 0) {
      el('h3', undefined, 'events', box);
      const ul = el('ul', 'events', undefined, box);
      for (const e of events) {
        const li = el(
          'li',
          e.name === 'exception' ? 'bad' : undefined,
          undefined,
          ul,
        );
        el(
          'span',
          'mute',
          '+' + fmtNs((e.time - rec.startTime) * 1000) + ' ',
          li,
        );
        el('strong', undefined, vis(e.name), li);
        const ea = e.attributes || {};
        for (const k of Object.keys(ea)) {
          if (k === 'exception.stacktrace') continue;
          el('div', 'eattr', vis(k) + ' = ' + vis(ea[k]), li);
        }
        if (ea['exception.stacktrace'] != null) {
          el(
            'pre',
            'stack',
            vis(String(ea['exception.stacktrace'])).replace(/\\u000a/g, '\n'),
            li,
          );
        }
      }
    }
    const links = rec.links || [];
    if (links.length > 0) {
      el('h3', undefined, 'links', box);
      const ul = el('ul', 'links', undefined, box);
      for (const l of links) {
        const li = el('li', undefined, undefined, ul);
        const b = el(
          'button',
          'link',
          l.traceId.slice(0, 8) + '… / ' + l.spanId,
          li,
        );
        b.addEventListener('click', () => followSpan(l.spanId, l.traceId));
        const la = l.attributes || {};
        for (const k of Object.keys(la))
          el('div', 'eattr', vis(k) + ' = ' + vis(la[k]), li);
      }
    }
    // js-logger files: their records are all there is (times in ms)
    const legacy = d.legacy || [];
    if (legacy.length > 0) {
      el('h3', undefined, 'js-logger records', box);
      const ul = el('ul', 'events legacy', undefined, box);
      for (const r of legacy) {
        const li = el('li', undefined, undefined, ul);
        el(
          'span',
          'mute',
          '+' + fmtNs((r.time - rec.startTime) * 1000) + ' ',
          li,
        );
        el('strong', undefined, vis(r.type), li);
        const f = r.fields || {};
        for (const k of Object.keys(f)) {
          el('div', 'eattr', vis(k) + ' = ' + vis(String(f[k])), li);
        }
      }
    }
  };

  /** Opens the trace holding a span (by trace and span id) and selects it. */
  const followSpan = async (spanId: string, traceId: string): Promise<void> => {
    let id = spanId;
    if (
      id.length === 16 &&
      currentTrace != null &&
      currentTrace.t.id === traceId
    ) {
      const full = currentTrace.t.spanId.find((s: string) => s.endsWith(id));
      if (full != null) id = full;
    }
    const d = await api('span', { id, trace: traceId });
    if (d == null) {
      const box = $('detail');
      box.hidden = false;
      el(
        'p',
        'bad',
        'linked span ' +
          spanId +
          (traceId ? ' (trace ' + traceId + ')' : '') +
          ' is not in the input',
        box,
      );
      return;
    }
    await openTrace(d.traceId, id);
  };

  // ---- flame graph: every trace merged by call path, left heavy
  type Flame = {
    data: any;
    kids: Array<Array<number>>;
    x: Float64Array;
    wd: Float64Array;
    depth: Int32Array;
    total: number;
    maxDepth: number;
  };
  let flame: Flame | null = null;
  let focus = -1;
  const fRowH = 18;
  const flameBox = $('flame');
  const flameCanvas = $('flame-canvas') as HTMLCanvasElement;
  const loadFlame = async (): Promise<void> => {
    const data = await api('flame');
    if (data == null) return;
    const n = data.name.length;
    const kids: Array<Array<number>> = [];
    for (let k = 0; k < n; k++) kids.push([]);
    const roots: Array<number> = [];
    for (let k = 0; k < n; k++) {
      if (data.parent[k] >= 0) kids[data.parent[k]].push(k);
      else roots.push(k);
    }
    const heavy = (a: number, b: number): number =>
      data.total[b] - data.total[a];
    roots.sort(heavy);
    for (const list of kids) list.sort(heavy);
    const x = new Float64Array(n);
    const wd = new Float64Array(n);
    const depth = new Int32Array(n);
    let total = 0;
    let maxDepth = 0;
    const stack: Array<number> = [];
    for (const r of roots) {
      x[r] = total;
      wd[r] = data.total[r];
      total += data.total[r];
      stack.push(r);
    }
    while (stack.length > 0) {
      const k = stack.pop()!;
      // Children get their share of the parent's drawn width; concurrent
      // children may sum past it, and are then scaled to fit.
      const f = data.total[k] > 0 ? wd[k] / data.total[k] : 0;
      let sum = 0;
      for (const c of kids[k]) sum += data.total[c] * f;
      const fit = sum > wd[k] && sum > 0 ? wd[k] / sum : 1;
      let at = x[k];
      for (const c of kids[k]) {
        x[c] = at;
        wd[c] = data.total[c] * f * fit;
        depth[c] = depth[k] + 1;
        if (depth[c] > maxDepth) maxDepth = depth[c];
        at += wd[c];
        stack.push(c);
      }
    }
    flame = { data, kids, x, wd, depth, total: Math.max(total, 1), maxDepth };
    flameBox.dataset.nodes = String(n);
    $('flame-spacer').style.height = (maxDepth + 2) * fRowH + 'px';
    drawFlame();
  };
  const widthOf = (k: number): number => flame!.wd[k];
  let flameFrame = 0;
  const drawFlame = (): void => {
    if (flameFrame !== 0) return;
    flameFrame = w.requestAnimationFrame(() => {
      flameFrame = 0;
      paintFlame();
    });
  };
  const flameView = (): [number, number] => {
    if (flame == null || focus < 0) return [0, flame != null ? flame.total : 1];
    return [flame.x[focus], flame.x[focus] + widthOf(focus)];
  };
  const paintFlame = (): void => {
    const cw = flameBox.clientWidth;
    const ch = flameBox.clientHeight;
    if (cw === 0 || ch === 0) return;
    const ctx = fitCanvas(flameCanvas, cw, ch);
    ctx.fillStyle = css('--bg');
    ctx.fillRect(0, 0, cw, ch);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    if (flame == null || flame.data.name.length === 0) {
      ctx.fillStyle = css('--mute');
      ctx.fillText('no spans yet', 16, 30);
      return;
    }
    const [a, b] = flameView();
    const scale = cw / Math.max(1e-9, b - a);
    const top = flameBox.scrollTop;
    const minDepth = Math.floor(top / fRowH);
    const maxDepth = Math.ceil((top + ch) / fRowH);
    const d = flame.data;
    for (let k = 0; k < d.name.length; k++) {
      const dep = flame.depth[k];
      if (dep < minDepth || dep > maxDepth) continue;
      const x0 = (flame.x[k] - a) * scale;
      const wd = widthOf(k) * scale;
      if (wd < 0.5 || x0 > cw || x0 + wd < 0) continue;
      const y = dep * fRowH - top;
      const name = d.names[d.name[k]];
      let h = 0;
      for (let c = 0; c < name.length; c++)
        h = (h * 31 + name.charCodeAt(c)) | 0;
      ctx.fillStyle =
        d.errors[k] > 0 && d.errors[k] === d.count[k]
          ? css('--err')
          : 'hsl(' +
            ((Math.abs(h) % 50) + 15) +
            ' 70% ' +
            (root.getAttribute('data-theme') === 'dark' ||
            (theme === 'auto' &&
              w.matchMedia('(prefers-color-scheme: dark)').matches)
              ? '38%'
              : '68%') +
            ')';
      const cx = Math.max(0, x0);
      const cwid = Math.min(cw, x0 + wd) - cx;
      ctx.fillRect(cx, y, Math.max(0.5, cwid - 1), fRowH - 1);
      if (cwid > 30) {
        ctx.fillStyle = css('--fg');
        ctx.save();
        ctx.beginPath();
        ctx.rect(cx, y, cwid - 2, fRowH);
        ctx.clip();
        ctx.fillText(vis(name), cx + 3, y + fRowH / 2);
        ctx.restore();
      }
    }
  };
  const flameAt = (ev: MouseEvent): number => {
    if (flame == null) return -1;
    const box = flameCanvas.getBoundingClientRect();
    const px = ev.clientX - box.left;
    const dep = Math.floor((ev.clientY - box.top + flameBox.scrollTop) / fRowH);
    const [a, b] = flameView();
    const v = a + (px / box.width) * (b - a);
    const d = flame.data;
    for (let k = 0; k < d.name.length; k++) {
      if (
        flame.depth[k] === dep &&
        v >= flame.x[k] &&
        v < flame.x[k] + widthOf(k)
      ) {
        return k;
      }
    }
    return -1;
  };
  flameCanvas.addEventListener('mousemove', (ev) => {
    const k = flameAt(ev);
    const tip = $('flame-tip');
    if (k < 0 || flame == null) {
      tip.hidden = true;
      return;
    }
    const d = flame.data;
    let kidsTotal = 0;
    for (const c of flame.kids[k]) kidsTotal += d.total[c];
    tip.textContent = '';
    el('strong', undefined, vis(d.names[d.name[k]]), tip);
    el(
      'div',
      undefined,
      'total ' +
        fmtNs(d.total[k]) +
        ' · self ' +
        fmtNs(Math.max(0, d.total[k] - kidsTotal)) +
        ' · ' +
        d.count[k] +
        ' spans' +
        (d.errors[k] > 0 ? ' · ' + d.errors[k] + ' errors' : '') +
        ' · ' +
        ((100 * d.total[k]) / flame.total).toFixed(1) +
        '%',
      tip,
    );
    tip.hidden = false;
    const box = flameBox.getBoundingClientRect();
    tip.style.left =
      Math.min(ev.clientX - box.left + 12, box.width - 320) + 'px';
    tip.style.top = ev.clientY - box.top + 14 + 'px';
  });
  flameCanvas.addEventListener(
    'mouseleave',
    () => ($('flame-tip').hidden = true),
  );
  flameCanvas.addEventListener('click', (ev) => {
    focus = flameAt(ev);
    $('flame-path').textContent =
      focus >= 0 && flame != null
        ? 'zoomed to ' +
          vis(flame.data.names[flame.data.name[focus]]) +
          ' (click empty space or Reset for all)'
        : '';
    drawFlame();
  });
  flameBox.addEventListener('scroll', () => drawFlame());

  // ---- by-name table
  let nameRows: Array<any> = [];
  let nameSort = 'total';
  const loadNames = async (): Promise<void> => {
    const rows = await api('names');
    if (rows == null) return;
    nameRows = rows;
    paintNames();
  };
  const paintNames = (): void => {
    const body = $('names-body');
    body.textContent = '';
    const rows = [...nameRows];
    if (nameSort === 'name') rows.sort((a, b) => (a.name < b.name ? -1 : 1));
    else rows.sort((a, b) => b[nameSort] - a[nameSort]);
    for (const r of rows.slice(0, 2000)) {
      const tr = el('tr', undefined, undefined, body);
      const nameCell = el('td', 'name', undefined, tr);
      const b = el('button', 'link', vis(r.name), nameCell);
      b.addEventListener('click', () => {
        ($('search') as HTMLInputElement).value = r.name;
        showTab('traces');
        newList();
      });
      el('td', 'num', String(r.count), tr);
      el('td', 'num' + (r.errors > 0 ? ' bad' : ''), String(r.errors), tr);
      el('td', 'num' + (r.open > 0 ? ' open-t' : ''), String(r.open), tr);
      for (const k of ['p50', 'p95', 'p99', 'max', 'total']) {
        el('td', 'num', r.count > 0 ? fmtNs(r[k]) : '-', tr);
      }
      const hc = el(
        'div',
        undefined,
        undefined,
        el('td', 'hist', undefined, tr),
      );
      hc.setAttribute(
        'title',
        fmtNs(r.lo) + ' … ' + fmtNs(r.hi) + ' (log scale)',
      );
      const most = Math.max(1, ...r.hist);
      for (const c of r.hist) {
        const bar = el('span', undefined, undefined, hc);
        bar.style.height =
          Math.max(c > 0 ? 2 : 0, Math.round((c / most) * 18)) + 'px';
      }
    }
  };
  for (const th of Array.from(doc.querySelectorAll('#names th[data-sort]'))) {
    th.addEventListener('click', () => {
      nameSort = (th as HTMLElement).dataset.sort!;
      paintNames();
    });
  }

  // ---- in-flight spans
  let openRows: Array<any> = [];
  const loadOpen = async (): Promise<void> => {
    const r = await api('open');
    if (r == null) return;
    openRows = r.spans;
    $('open-note').textContent =
      r.total === 0
        ? 'no span is open'
        : r.total +
          ' open span' +
          (r.total === 1 ? '' : 's') +
          (r.total > r.spans.length
            ? ' (oldest ' + r.spans.length + ' shown)'
            : '');
    const body = $('open-body');
    body.textContent = '';
    for (const o of openRows) {
      const tr = el('tr', undefined, undefined, body);
      const age = el('td', 'num open-t age', undefined, tr);
      age.dataset.start = String(o.start);
      const nameCell = el('td', 'name', undefined, tr);
      const b = el('button', 'link', vis(o.name), nameCell);
      b.addEventListener('click', () => openTrace(o.traceId, o.spanId));
      el('td', undefined, vis(o.service), tr);
      el('td', undefined, fmtTime(o.start), tr);
      el('td', 'mono', o.traceId.slice(0, 16), tr);
    }
    tickOpen();
  };
  const tickOpen = (): void => {
    const now = live ? nowUs() : (summary?.last ?? nowUs());
    for (const td of Array.from(doc.querySelectorAll('#open-body .age'))) {
      const x = td as HTMLElement;
      x.textContent = fmtNs(Math.max(0, now - Number(x.dataset.start)) * 1000);
    }
  };

  // ---- refresh
  const refreshTab = (): void => {
    if (tab === 'traces') {
      drawWaterfall();
    } else if (tab === 'flame') {
      loadFlame();
    } else if (tab === 'names') {
      loadNames();
    } else if (tab === 'open') {
      loadOpen();
    }
  };
  const redrawAll = (): void => {
    drawWaterfall();
    drawFlame();
  };
  let pending: any = null;
  let refreshing = false;
  const onUpdate = async (msg: any): Promise<void> => {
    pending = msg;
    if (refreshing) return;
    refreshing = true;
    try {
      while (pending != null) {
        const m = pending;
        pending = null;
        showSummary(m);
        await loadList();
        const cur = currentTrace;
        if (
          cur != null &&
          (m.changed === 'all' ||
            (Array.isArray(m.changed) && m.changed.includes(cur.id)))
        ) {
          // Waits for the refresh, unless the user asks for a trace
          // meanwhile: the refresh is moot then, and the list keeps up.
          await new Promise<void>((resolve) => {
            navigated = resolve;
            openTrace(cur.id, undefined, true).then(resolve, resolve);
          });
          navigated = null;
        }
        // a trace the URL named, once the server has read it
        if (
          linkPending &&
          (currentTrace == null || currentTrace.id !== want.trace) &&
          (m.changed === 'all' ||
            (Array.isArray(m.changed) && m.changed.includes(want.trace)))
        ) {
          openTrace(want.trace, want.span || undefined, false, 'none').catch(
            () => undefined,
          );
        }
        if (tab !== 'traces') refreshTab();
      }
    } finally {
      refreshing = false;
    }
  };

  // ---- wiring
  for (const t of tabs)
    $('tab-' + t).addEventListener('click', () => showTab(t));
  $('theme').addEventListener('click', () => {
    theme = themes[(themes.indexOf(theme) + 1) % themes.length];
    try {
      w.localStorage.setItem('spantrail-theme', theme);
    } catch {
      // not kept
    }
    applyTheme();
  });
  w.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () =>
    redrawAll(),
  );
  $('search').addEventListener('input', listSoon);
  $('service').addEventListener('change', () => {
    fillProcesses();
    newList();
  });
  $('process').addEventListener('change', () => newList());
  $('list-more').addEventListener('click', () => {
    listShown = listItems.length + pageSize;
    loadList(true);
  });
  w.addEventListener('popstate', () => applyHash());
  w.addEventListener('hashchange', () => applyHash());
  for (const b of Array.from(doc.querySelectorAll('#lists button'))) {
    const x = b as HTMLElement;
    x.addEventListener('click', () =>
      setSort(x.dataset.sort!, x.dataset.filter ?? 'all'),
    );
  }
  $('zin').addEventListener('click', () => zoom(0.7, 0.5));
  $('zout').addEventListener('click', () => zoom(1 / 0.7, 0.5));
  $('zreset').addEventListener('click', resetZoom);
  $('expand').addEventListener('click', () => setAll(false));
  $('collapse').addEventListener('click', () => setAll(true));
  $('flame-reset').addEventListener('click', () => {
    focus = -1;
    $('flame-path').textContent = '';
    drawFlame();
  });
  $('traces').addEventListener('keydown', (ev: KeyboardEvent) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      listCursor = Math.max(
        0,
        Math.min(
          listItems.length - 1,
          listCursor + (ev.key === 'ArrowDown' ? 1 : -1),
        ),
      );
      const item = listItems[listCursor];
      if (item != null) openTrace(item.id, undefined, false, 'replace');
      ev.preventDefault();
    }
  });
  doc.addEventListener('keydown', (ev: KeyboardEvent) => {
    const target = ev.target as HTMLElement;
    if (target.tagName === 'INPUT' || target.tagName === 'SELECT') {
      if (ev.key === 'Escape') target.blur();
      return;
    }
    if (ev.key === '/') {
      ev.preventDefault();
      showTab('traces');
      $('search').focus();
    } else if (ev.key === 'Escape') {
      $('detail').hidden = true;
    } else if (ev.key >= '1' && ev.key <= '4' && target !== wf) {
      showTab(tabs[Number(ev.key) - 1]);
    }
  });
  w.addEventListener('resize', () => redrawAll());
  w.setInterval(() => {
    if (tab === 'open') tickOpen();
    if (live && currentTrace != null && currentTrace.hasOpen) drawWaterfall();
  }, 1000);

  $('title').textContent = vis(live ? 'spantrail serve' : embedded.title);
  $('subtitle').textContent = vis(live ? '' : embedded.note || '');
  $('live').hidden = !live;
  applyTheme();
  // the trace, span and tab the URL names (a link, or a reload)
  tab = '';
  applyHash(true);
  if (live) {
    api('summary').then(showSummary, () => undefined);
    const es = new w.EventSource(
      '/api/events?token=' + encodeURIComponent(token),
    );
    es.addEventListener('update', (ev: MessageEvent) => {
      $('live').classList.add('on');
      onUpdate(JSON.parse(ev.data));
    });
    es.addEventListener('error', () => $('live').classList.remove('on'));
  } else {
    showSummary(embedded.summary);
    loadList().then(() => {
      if (want.trace === '' && listItems.length > 0) {
        openTrace(listItems[0].id, undefined, false, 'replace');
      }
    });
  }
}

export default viewerClient;
