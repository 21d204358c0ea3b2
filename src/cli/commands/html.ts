import { TraceModel } from '../../reader/index.js';
import { renderHtml } from '../html.js';
import CliError from '../CliError.js';
import {
  clean,
  inputFiles,
  issuesLine,
  parse,
  writeFileOrFail,
  writeOut,
  readInputs,
  usageExit,
} from '../util.js';

const help = `Usage: spantrail html <file...> [-o report.html] [--trace <id>]

Write one self-contained HTML file (inline CSS and script, no network
access) with a zoomable timeline and the span tree; unfinished spans and
errors are marked, a click shows a span's attributes and events. Open it
from disk in any browser. Several files merge into one report.

Options:
  -o, --output <file>  where to write (default: stdout)
  --trace <id>         only the trace with this id or unique prefix
  -h, --help           show this help

Examples:
  spantrail html trace.jsonl -o report.html
  spantrail html server.jsonl client.jsonl -o report.html
`;

async function html(args: Array<string>): Promise<number> {
  const { values, positionals } = parse('html', args, {
    output: { type: 'string', short: 'o' },
    trace: { type: 'string' },
  });
  if (values.help === true) {
    await writeOut(help);
    return 0;
  }
  const trace = (values.trace as string | undefined)?.toLowerCase();
  if (trace != null && !/^[0-9a-f]+$/.test(trace)) {
    throw new CliError(`--trace must be a hex id or prefix`, usageExit);
  }
  const files = inputFiles('html', positionals);
  const model = new TraceModel(
    trace != null ? { traceFilter: (id) => id.startsWith(trace) } : {},
  );
  const { issues } = await readInputs(files, model);
  if (trace != null) {
    const found = model.findTrace(trace);
    if (!found.found) {
      throw new CliError(
        found.reason === 'ambiguous'
          ? `trace id prefix '${trace}' is ambiguous`
          : `no trace with id or prefix '${trace}'`,
      );
    }
  }
  const page = renderHtml(model, files.join(', '));
  const output = values.output as string | undefined;
  if (output != null && output !== '-') {
    await writeFileOrFail(output, page);
    process.stderr.write(
      `wrote ${clean(output)} (${model.spans.size} spans)\n`,
    );
  } else {
    await writeOut(page);
  }
  const skipped = issuesLine(issues);
  if (skipped !== '') process.stderr.write(`spantrail: ${skipped}\n`);
  return 0;
}

export default html;
