/**
 * The script of the HTML report, embedded with `Function.prototype.toString`
 * so it stays type-checked. It must be self-contained: no imports, no
 * references to module scope. Trace strings only ever reach the page through
 * `textContent`, never as markup.
 */

/** Row data as `html.ts` embeds it (short keys keep big reports small). */
type ClientRow = {
  /** name */
  n: string;
  /** trace index */
  t: number;
  /** tree guide, e.g. `│  ├─ ` */
  g: string;
  /** start, µs from the report origin */
  s: number;
  /** duration µs (open spans: until the end of the input) */
  u: number;
  /** open (unfinished) */
  o: boolean;
  /** status code and message */
  c: number;
  m: string;
  /** kind name */
  k: string;
  /** process label */
  p: string;
  /** span id, parent id */
  id: string;
  pid: string;
  /** attributes as [key, value text] */
  a: Array<[string, string]>;
  /** events: [name, µs from origin, attributes text] */
  e: Array<[string, number, string]>;
  /** formatted duration */
  dt: string;
};

type ClientTrace = {
  id: string;
  root: string;
  info: string;
  rows: Array<number>;
};

type ClientData = {
  title: string;
  summary: string;
  end: number;
  traces: Array<ClientTrace>;
  rows: Array<ClientRow>;
};

function htmlClient(): void {
  const dataEl = document.getElementById('spantrail-data');
  const data: ClientData = JSON.parse(
    dataEl != null ? dataEl.textContent! : '{}',
  );
  const $ = (id: string): HTMLElement => document.getElementById(id)!;
  const el = (tag: string, cls?: string, text?: string): HTMLElement => {
    const e = document.createElement(tag);
    if (cls != null) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  const fmt = (us: number): string => {
    const ns = us * 1000;
    if (!isFinite(ns)) return '-';
    if (ns < 999.5) return Math.round(ns) + 'ns';
    const sig = (v: number): string =>
      v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
    if (ns < 999.5e3) return sig(ns / 1e3) + 'µs';
    if (ns < 999.5e6) return sig(ns / 1e6) + 'ms';
    if (ns < 60e9) return sig(ns / 1e9) + 's';
    const s = Math.round(ns / 1e9);
    return Math.floor(s / 60) + 'm ' + String(s % 60).padStart(2, '0') + 's';
  };

  $('title').textContent = data.title;
  $('summary').textContent = data.summary;
  document.title = 'spantrail: ' + data.title;

  const full = Math.max(1, data.end);
  let v0 = 0;
  let v1 = full;
  const rowsEl = $('rows');
  const bars: Array<{
    bar: HTMLElement;
    row: ClientRow;
    marks: Array<HTMLElement>;
  }> = [];
  let selected: HTMLElement | null = null;

  const showDetails = (row: ClientRow): void => {
    const d = $('details');
    d.textContent = '';
    d.appendChild(el('h2', undefined, row.n));
    const dl = el('dl');
    const add = (k: string, v: string, cls?: string): void => {
      dl.appendChild(el('dt', undefined, k));
      dl.appendChild(el('dd', cls, v));
    };
    add(
      'duration',
      row.o ? 'unfinished (open ≥ ' + row.dt + ')' : row.dt,
      row.o ? 'bad' : undefined,
    );
    add('start', '+' + fmt(row.s));
    if (row.c === 2)
      add('status', 'ERROR' + (row.m !== '' ? ': ' + row.m : ''), 'bad');
    else if (row.c === 1) add('status', 'OK');
    add('kind', row.k);
    add('process', row.p);
    add('span id', row.id);
    if (row.pid !== '') add('parent id', row.pid);
    for (const [k, v] of row.a) add(k, v, 'attr');
    d.appendChild(dl);
    if (row.e.length > 0) {
      d.appendChild(el('h3', undefined, 'events'));
      const ul = el('ul');
      for (const [name, t, attrs] of row.e) {
        const li = el('li', name === 'exception' ? 'bad' : undefined);
        li.textContent =
          '+' +
          fmt(t - row.s) +
          '  ' +
          name +
          (attrs !== '' ? '  ' + attrs : '');
        ul.appendChild(li);
      }
      d.appendChild(ul);
    }
    d.hidden = false;
  };

  const zoomTo = (a: number, b: number): void => {
    const minSpan = 0.001;
    if (b - a < minSpan) {
      const mid = (a + b) / 2;
      a = mid - minSpan / 2;
      b = mid + minSpan / 2;
    }
    const pad = (b - a) * 0.02;
    v0 = Math.max(-pad, a);
    v1 = Math.min(full + pad, b);
    if (v1 <= v0) v1 = v0 + minSpan;
    layout();
  };

  for (const trace of data.traces) {
    const head = el('div', 'trace');
    head.appendChild(el('span', 'tid', 'trace ' + trace.id));
    head.appendChild(el('span', 'troot', trace.root));
    head.appendChild(el('span', 'tinfo', trace.info));
    rowsEl.appendChild(head);
    for (const i of trace.rows) {
      const row = data.rows[i];
      const r = el(
        'div',
        'row' + (row.o ? ' open' : '') + (row.c === 2 ? ' err' : ''),
      );
      const label = el('div', 'label');
      label.appendChild(el('span', 'guide', row.g));
      label.appendChild(el('span', 'name', row.n));
      label.appendChild(el('span', 'dur', row.o ? 'unfinished' : row.dt));
      label.title = row.n;
      const lane = el('div', 'lane');
      const bar = el('div', 'bar');
      lane.appendChild(bar);
      const marks: Array<HTMLElement> = [];
      for (const ev of row.e) {
        const m = el('div', 'mark' + (ev[0] === 'exception' ? ' exc' : ''));
        m.title = ev[0];
        lane.appendChild(m);
        marks.push(m);
      }
      r.appendChild(label);
      r.appendChild(lane);
      r.addEventListener('click', () => {
        if (selected != null) selected.classList.remove('sel');
        selected = r;
        r.classList.add('sel');
        showDetails(row);
      });
      r.addEventListener('dblclick', () =>
        zoomTo(row.s, row.s + Math.max(row.u, 0.001)),
      );
      rowsEl.appendChild(r);
      bars.push({ bar, row, marks });
    }
  }

  const axis = $('axis');
  const layout = (): void => {
    const w = v1 - v0;
    for (const { bar, row, marks } of bars) {
      bar.style.left = ((row.s - v0) / w) * 100 + '%';
      bar.style.width = (row.u / w) * 100 + '%';
      for (let i = 0; i < marks.length; i++) {
        marks[i].style.left = ((row.e[i][1] - v0) / w) * 100 + '%';
      }
    }
    // Ticks at 1, 2 or 5 × 10^k, about 8 across.
    axis.textContent = '';
    const raw = w / 8;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = raw / p >= 5 ? 5 * p : raw / p >= 2 ? 2 * p : p;
    for (let t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
      const tick = el('div', 'tick', fmt(t));
      tick.style.left = ((t - v0) / w) * 100 + '%';
      axis.appendChild(tick);
    }
    $('range').textContent = fmt(v0) + ' – ' + fmt(v1) + '  (' + fmt(w) + ')';
  };

  const timeline = $('timeline');
  const laneBox = (): DOMRect => axis.getBoundingClientRect();
  const zoomAround = (factor: number, frac: number): void => {
    const w = v1 - v0;
    const at = v0 + w * frac;
    const nw = Math.min(full * 1.04, w * factor);
    zoomTo(at - nw * frac, at - nw * frac + nw);
  };
  timeline.addEventListener(
    'wheel',
    (ev: WheelEvent) => {
      if (
        !ev.ctrlKey &&
        !ev.altKey &&
        Math.abs(ev.deltaX) > Math.abs(ev.deltaY)
      )
        return;
      if (
        !ev.ctrlKey &&
        !ev.altKey &&
        !ev.shiftKey &&
        (ev.target as HTMLElement).closest('.lane,#axis') == null
      )
        return;
      ev.preventDefault();
      const box = laneBox();
      const frac = Math.min(
        1,
        Math.max(0, (ev.clientX - box.left) / box.width),
      );
      zoomAround(ev.deltaY > 0 ? 1.25 : 0.8, frac);
    },
    { passive: false },
  );
  let drag: { x: number; a: number; b: number } | null = null;
  timeline.addEventListener('mousedown', (ev: MouseEvent) => {
    if ((ev.target as HTMLElement).closest('.lane,#axis') == null) return;
    drag = { x: ev.clientX, a: v0, b: v1 };
    timeline.classList.add('dragging');
  });
  window.addEventListener('mousemove', (ev: MouseEvent) => {
    if (drag == null) return;
    const dt = ((ev.clientX - drag.x) / laneBox().width) * (drag.b - drag.a);
    v0 = drag.a - dt;
    v1 = drag.b - dt;
    layout();
  });
  window.addEventListener('mouseup', () => {
    drag = null;
    timeline.classList.remove('dragging');
  });
  $('zin').addEventListener('click', () => zoomAround(0.5, 0.5));
  $('zout').addEventListener('click', () => zoomAround(2, 0.5));
  $('zreset').addEventListener('click', () => zoomTo(0, full));
  document.addEventListener('keydown', (ev: KeyboardEvent) => {
    if (ev.key === '+' || ev.key === '=') zoomAround(0.5, 0.5);
    else if (ev.key === '-') zoomAround(2, 0.5);
    else if (ev.key === '0') zoomTo(0, full);
  });
  zoomTo(0, full);
}

export default htmlClient;
export type { ClientData, ClientRow, ClientTrace };
