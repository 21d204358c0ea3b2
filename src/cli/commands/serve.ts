import { spawn } from 'node:child_process';
import { ViewerServer } from '../serve/index.js';
import CliError from '../CliError.js';
import { clean, parse, usageExit, writeOut } from '../util.js';

const help = `Usage: spantrail serve <file...> [--port N] [--host H] [--open]

Serve a live viewer of trace files on a local web server and print its
URL (the first line on stdout). Files are followed as they grow: new
spans reach open pages within a second. A file may not exist yet. A
rotated file (renamed away, a new one created) is kept open: its spans
stay, and the new file is followed. A file truncated in place lost its
data: every file is then read again from the start.

The viewer lists traces (newest, slowest, with errors, with open spans;
search by span name, attribute value, trace or span id prefix; filter by
service), draws one trace as a waterfall (collapse, zoom, pan, keyboard),
merges all traces into a left-heavy flame graph, tabulates span names
with p50/p95/p99 and a latency histogram, and lists the spans in flight
with how long each has been open.

The URL carries a random token; requests without it get 403. The server
binds 127.0.0.1 unless --host says otherwise: traces hold private data.

Options:
  --port <n>     port to listen on (default: a free port)
  --host <h>     address to bind (default 127.0.0.1)
  --open         open the URL in the default browser
  --interval <ms>  how often the files are polled (default 200)
  -h, --help     show this help

Examples:
  spantrail serve trace.jsonl
  spantrail serve server.jsonl client.jsonl --port 8080 --open
`;

function opener(url: string): void {
  const cmd =
    process.platform === 'darwin'
      ? 'open'
      : process.platform === 'win32'
        ? 'explorer'
        : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser opener: the URL is printed anyway
  }
}

async function serve(args: Array<string>): Promise<number> {
  const { values, positionals } = parse('serve', args, {
    port: { type: 'string' },
    host: { type: 'string' },
    open: { type: 'boolean' },
    interval: { type: 'string' },
  });
  if (values.help === true) {
    await writeOut(help);
    return 0;
  }
  if (positionals.length === 0 || positionals.includes('-')) {
    throw new CliError(
      `serve needs trace file paths (not stdin)\nRun 'spantrail serve --help' for usage.`,
      usageExit,
    );
  }
  const port = values.port == null ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(
      `--port must be an integer from 0 to 65535, got '${clean(String(values.port))}'`,
      usageExit,
    );
  }
  const interval = values.interval == null ? 200 : Number(values.interval);
  if (!Number.isInteger(interval) || interval < 10 || interval > 60000) {
    throw new CliError(
      `--interval must be milliseconds from 10 to 60000`,
      usageExit,
    );
  }
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const server = new ViewerServer({
    files: positionals,
    host,
    port,
    interval,
  });
  // Handlers first: a signal right after the URL is printed still ends
  // the server cleanly.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  let url: string;
  try {
    url = await server.start();
  } catch (e: any) {
    throw new CliError(
      `cannot listen on ${clean(host)}:${port}: ${e?.code ?? e?.message ?? String(e)}`,
    );
  }
  await writeOut(url + '\n');
  process.stderr.write(
    `spantrail: serving ${positionals.map(clean).join(', ')} (Ctrl-C to stop)\n`,
  );
  if (values.open === true) opener(url);
  await stopped;
  await server.stop();
  return 0;
}

export default serve;
