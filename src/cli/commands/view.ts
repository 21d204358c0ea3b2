import type Colors from '../Colors.js';
import { TraceFollower, TraceModel, createIssues } from '../../reader/index.js';
import CliError from '../CliError.js';
import { renderTime, renderTree } from '../render.js';
import {
  clean,
  colorOptions,
  colorsFor,
  inputFiles,
  issuesLine,
  parse,
  parseWidth,
  readInputs,
  usageExit,
  writeOut,
} from '../util.js';

const help = `Usage: spantrail view <file...> [options]

Show traces as a tree or on a timeline. Several files (one per process)
merge into one view. With no file, reads stdin.

Options:
  --mode tree|time   tree: hierarchy with durations, status and events
                     (default); time: the same order with timeline bars
  --attributes, -a   show each span's attributes on a line under it
  --trace <id>       only the trace with this id or unique id prefix
  --follow, -f       keep updating while a program appends to the file
                     (a file that does not exist yet is waited for)
  --width <n>        columns for time mode (default: terminal width, or 100)
  --color            force colour
  --no-color         no colour (also when NO_COLOR is set)
  -h, --help         show this help

Examples:
  spantrail view trace.jsonl
  spantrail view --mode time --trace 0692 trace.jsonl
  spantrail view server.jsonl client.jsonl
  spantrail view --follow trace.jsonl
`;

type Mode = 'tree' | 'time';

/** Candidates listed for an ambiguous `--trace` prefix. */
const ambiguousShown = 10;

function render(
  model: TraceModel,
  mode: Mode,
  traceIds: Array<string>,
  colors: Colors,
  width: number,
  attributes: boolean,
): string {
  const opts = { colors, width, attributes };
  return mode === 'tree'
    ? renderTree(model, traceIds, opts)
    : renderTime(model, traceIds, opts);
}

/** Resolves `--trace` against the model; throws when it does not match. */
function selectTraces(
  model: TraceModel,
  trace: string | undefined,
): Array<string> {
  if (trace == null) return model.traceIds();
  const found = model.findTrace(trace);
  if (found.found) return [found.traceId];
  if (found.reason === 'ambiguous') {
    const shown = found.candidates.slice(0, ambiguousShown);
    const more = found.candidates.length - shown.length;
    throw new CliError(
      `trace id prefix '${clean(trace)}' is ambiguous; it matches:\n  ${shown.join('\n  ')}` +
        (more > 0 ? `\n  and ${more} more` : ''),
    );
  }
  throw new CliError(`no trace with id or prefix '${clean(trace)}'`);
}

async function view(args: Array<string>): Promise<number> {
  const { values, positionals } = parse('view', args, {
    mode: { type: 'string', default: 'tree' },
    trace: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    attributes: { type: 'boolean', short: 'a' },
    width: { type: 'string' },
    ...colorOptions,
  });
  if (values.help === true) {
    await writeOut(help);
    return 0;
  }
  const mode = values.mode as string;
  if (mode !== 'tree' && mode !== 'time') {
    throw new CliError(
      `unknown --mode '${clean(mode)}': use tree or time`,
      usageExit,
    );
  }
  const trace = values.trace as string | undefined;
  if (trace != null && !/^[0-9a-fA-F]+$/.test(trace)) {
    throw new CliError(`--trace must be a hex id or prefix`, usageExit);
  }
  const explicitWidth = parseWidth(values.width);
  const attributes = values.attributes === true;
  const colors = colorsFor(values);
  const widthNow = (): number =>
    explicitWidth ??
    (process.stdout.isTTY === true ? process.stdout.columns || 100 : 100);
  const prefix = trace?.toLowerCase();
  const newModel = (): TraceModel =>
    new TraceModel(
      prefix != null ? { traceFilter: (id) => id.startsWith(prefix) } : {},
    );
  if (values.follow === true) {
    return follow(
      positionals,
      mode,
      trace,
      newModel,
      colors,
      widthNow,
      attributes,
    );
  }
  const files = inputFiles('view', positionals);
  const model = newModel();
  const { issues } = await readInputs(files, model);
  const traceIds = selectTraces(model, trace);
  let out = render(model, mode, traceIds, colors, widthNow(), attributes);
  if (traceIds.length === 0) out = 'no spans\n';
  await writeOut(out);
  // Diagnostics go to stderr so the drawing can be piped as is.
  const skipped = issuesLine(issues);
  if (skipped !== '') process.stderr.write(`spantrail: ${skipped}\n`);
  return 0;
}

async function follow(
  positionals: Array<string>,
  mode: Mode,
  trace: string | undefined,
  newModel: () => TraceModel,
  colors: Colors,
  widthNow: () => number,
  attributes: boolean,
): Promise<number> {
  if (positionals.length === 0 || positionals.includes('-')) {
    throw new CliError('--follow needs file paths (not stdin)', usageExit);
  }
  const tty = process.stdout.isTTY === true;
  let model = newModel();
  const issues = createIssues();
  let dirty = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const draw = (): void => {
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    let body: string;
    try {
      const ids = selectTraces(model, trace);
      body =
        ids.length === 0
          ? 'waiting for spans…\n'
          : render(model, mode, ids, colors, widthNow(), attributes);
    } catch (e) {
      body = e instanceof CliError ? e.message + '\n' : String(e) + '\n';
    }
    const skipped = issuesLine(issues);
    const footer =
      colors.dim(
        `following ${positionals.map(clean).join(', ')}: ${model.spans.size} spans` +
          (skipped !== '' ? `; ${skipped}` : '') +
          ' (Ctrl-C to stop)',
      ) + '\n';
    if (tty) {
      // Redraw in place, keeping the newest lines when it overflows.
      const rows = Math.max(5, (process.stdout.rows || 24) - 1);
      const lines = (body + footer).split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const shown = lines.slice(-rows);
      process.stdout.write('\x1b[H\x1b[2J' + shown.join('\n') + '\n');
    } else {
      process.stdout.write(body + footer);
    }
  };
  const schedule = (): void => {
    dirty = true;
    if (timer == null) timer = setTimeout(draw, 50);
  };
  // One model merges all files, so a truncated file drops the spans of the
  // others too: every follower then reads its file again from the start.
  const onReset = (): void => {
    model = newModel();
    for (const f of followers) f.reset();
    schedule();
  };
  const followers: Array<TraceFollower> = positionals.map(
    (file) =>
      new TraceFollower(
        file,
        { record: (r, s) => model.record(r, s) },
        issues,
        {
          onUpdate: schedule,
          onReset,
          onError: () => undefined,
          waitForFile: true,
        },
      ),
  );
  try {
    for (const f of followers) await f.start();
  } catch (e: any) {
    for (const f of followers) f.stop();
    throw new CliError(
      e?.code === 'ENOENT'
        ? `no such file: ${e.path}`
        : String(e?.message ?? e),
    );
  }
  draw();
  if (tty) process.stdout.on('resize', schedule);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      for (const f of followers) f.stop();
      if (timer != null) clearTimeout(timer);
      // Both, so a later SIGTERM is not swallowed by a stale listener.
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stdout.off('resize', schedule);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

export default view;
export { help as viewHelp };
