import type { Readable } from 'node:stream';
import type { RecordSink } from '../../reader/index.js';
import fs from 'node:fs';
import {
  SpanIndex,
  TraceByteDecoder,
  createIssues,
} from '../../reader/index.js';
import { renderViewerPage } from '../viewer/index.js';
import { defaultMaxSpans, staticData } from '../viewer/staticData.js';
import CliError from '../CliError.js';
import {
  clean,
  inputFiles,
  issuesLine,
  parse,
  writeFileOrFail,
  writeOut,
  usageExit,
} from '../util.js';

const help = `Usage: spantrail html <file...> [-o report.html] [--trace <id>]

Write one self-contained HTML file: the viewer of 'spantrail serve' with
the data inside (inline CSS and script, no network access). Open it from
disk in any browser. Several files merge into one report.

It embeds the newest traces up to ${defaultMaxSpans.toLocaleString('en-US')} spans (--max-spans); a
larger input gets a report of those that says so, and 'spantrail serve'
shows all of it. The flame graph, by-name table and open spans always
cover the whole input.

Options:
  -o, --output <file>  where to write (default: stdout)
  --trace <id>         only the trace with this id or unique prefix
  --max-spans <n>      most spans to embed (default ${defaultMaxSpans})
  -h, --help           show this help

Examples:
  spantrail html trace.jsonl -o report.html
  spantrail html server.jsonl client.jsonl -o report.html
`;

async function readInto(
  file: string,
  index: SpanIndex,
  issues: ReturnType<typeof createIssues>,
  keepLines: boolean,
  tracePrefix?: string,
): Promise<number> {
  let stream: Readable;
  if (file === '-') {
    stream = process.stdin;
  } else {
    try {
      const stat = await fs.promises.stat(file);
      if (stat.isDirectory()) {
        throw new CliError(`${clean(file)} is a directory, not a trace file`);
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`no such file: ${clean(file)}`);
    }
    stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  }
  // The sink reads the decoder's line position, so it needs a reference.
  const ref: { decoder?: TraceByteDecoder } = {};
  const sink: RecordSink = {
    record: (r, source) => {
      if (
        tracePrefix != null &&
        (r.type === 'start' || r.type === 'span') &&
        !r.traceId.startsWith(tracePrefix)
      ) {
        return;
      }
      const d = ref.decoder!;
      index.at(file, d.lineOffset, d.lineLength, keepLines ? d.lineText() : '');
      index.record(r, source);
    },
  };
  const decoder = new TraceByteDecoder(file, sink, issues, {
    details: false,
  });
  ref.decoder = decoder;
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += chunk.length;
      decoder.write(chunk);
    }
  } catch (e: any) {
    throw new CliError(`error reading ${clean(file)}: ${e?.message ?? e}`);
  }
  decoder.end();
  if (decoder.records === 0) {
    throw new CliError(
      bytes === 0
        ? `${clean(file)} is empty: no trace records`
        : `${clean(file)} is not a spantrail trace (no valid record in it)`,
    );
  }
  return decoder.records;
}

async function html(args: Array<string>): Promise<number> {
  const { values, positionals } = parse('html', args, {
    output: { type: 'string', short: 'o' },
    trace: { type: 'string' },
    'max-spans': { type: 'string' },
  });
  if (values.help === true) {
    await writeOut(help);
    return 0;
  }
  const trace = (values.trace as string | undefined)?.toLowerCase();
  if (trace != null && !/^[0-9a-f]+$/.test(trace)) {
    throw new CliError(`--trace must be a hex id or prefix`, usageExit);
  }
  const maxSpans =
    values['max-spans'] == null ? defaultMaxSpans : Number(values['max-spans']);
  if (!Number.isSafeInteger(maxSpans) || maxSpans < 1) {
    throw new CliError(`--max-spans must be a positive integer`, usageExit);
  }
  const files = inputFiles('html', positionals);
  // Details are read back from the files by offset; stdin cannot be read
  // twice, so its lines are kept.
  const keepLines = files.includes('-');
  const index = new SpanIndex({ keepLines });
  const issues = createIssues();
  for (const file of files) {
    await readInto(file, index, issues, keepLines, trace);
  }
  if (trace != null && index.traceCount !== 1) {
    throw new CliError(
      index.traceCount > 1
        ? `trace id prefix '${trace}' is ambiguous`
        : `no trace with id or prefix '${trace}'`,
    );
  }
  const title = files.join(', ');
  const page = renderViewerPage({
    title,
    mode: 'static',
    data: await staticData(index, title, files, maxSpans),
  });
  const output = values.output as string | undefined;
  if (output != null && output !== '-') {
    await writeFileOrFail(output, page);
    process.stderr.write(`wrote ${clean(output)} (${index.size} spans)\n`);
  } else {
    await writeOut(page);
  }
  const skipped = issuesLine(issues);
  if (skipped !== '') process.stderr.write(`spantrail: ${skipped}\n`);
  return 0;
}

export default html;
