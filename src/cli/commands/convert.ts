import {
  TraceModel,
  modelToChromeChunks,
  modelToOtlpChunks,
  modelToSpeedscopeChunks,
} from '../../reader/index.js';
import CliError from '../CliError.js';
import {
  clean,
  inputFiles,
  issuesLine,
  parse,
  readInputs,
  usageExit,
  writeChunks,
  writeOut,
} from '../util.js';
import version from '../../version.js';

const help = `Usage: spantrail convert <file...> --to otlp|chrome|speedscope [-o out]

Convert a trace (several files merge into one) for other tools:

  otlp        OTLP/JSON TracesData, one line, as the OpenTelemetry
              collector's file exporter writes it (load into any OTLP
              consumer, e.g. otelcol's otlpjsonfile receiver)
  chrome      Chrome Trace Event Format: open in https://ui.perfetto.dev
              or chrome://tracing
  speedscope  speedscope file format: open in https://www.speedscope.app

Spans still open at the end of the input are exported ending at the last
time seen, marked unfinished.

Options:
  --to <format>     otlp, chrome or speedscope (required)
  -o, --output <f>  write to a file instead of stdout
  -h, --help        show this help

Examples:
  spantrail convert trace.jsonl --to chrome -o trace.json
  spantrail convert trace.jsonl --to otlp > otlp.json
`;

const formats = ['otlp', 'chrome', 'speedscope'];

async function convert(args: Array<string>): Promise<number> {
  const { values, positionals } = parse('convert', args, {
    to: { type: 'string' },
    output: { type: 'string', short: 'o' },
  });
  if (values.help === true) {
    await writeOut(help);
    return 0;
  }
  const to = values.to as string | undefined;
  if (to == null) {
    throw new CliError(
      `--to is required: one of ${formats.join(', ')}\nRun 'spantrail convert --help' for usage.`,
      usageExit,
    );
  }
  if (!formats.includes(to)) {
    throw new CliError(
      `unknown --to '${clean(to)}': use one of ${formats.join(', ')}`,
      usageExit,
    );
  }
  const files = inputFiles('convert', positionals);
  const model = new TraceModel();
  const { issues } = await readInputs(files, model);
  const chunks =
    to === 'otlp'
      ? modelToOtlpChunks(model, version)
      : to === 'chrome'
        ? modelToChromeChunks(model)
        : modelToSpeedscopeChunks(model, files.join(', '));
  const output = values.output as string | undefined;
  await writeChunks(
    output != null && output !== '-' ? output : undefined,
    chunks,
    '\n',
  );
  const skipped = issuesLine(issues);
  if (skipped !== '') process.stderr.write(`spantrail: ${skipped}\n`);
  return 0;
}

export default convert;
