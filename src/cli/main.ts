#!/usr/bin/env node
/**
 * The `spantrail` command: view, stats, convert, html, serve and run.
 */
import CliError from './CliError.js';
import version from '../version.js';

const help = `Usage: spantrail <command> [options]

Read, view and convert spantrail traces (JSON lines, format v1; js-logger
tracer files too).

Commands:
  view <file...>     show traces as a tree or timeline (--follow to watch)
  stats <file...>    per-name latency percentiles, errors, open spans
  convert <file...>  to OTLP/JSON, Chrome trace events or speedscope
  html <file...>     a self-contained HTML report: the viewer with its data
  serve <file...>    a live viewer in the browser, following the files
  run -- <command>   run a Node program traced by spantrail/register

Options:
  -h, --help         show help (also: spantrail <command> --help)
  -v, --version      show the version

Examples:
  spantrail view trace.jsonl
  spantrail stats trace.jsonl
  spantrail convert trace.jsonl --to chrome -o trace.json
  spantrail html trace.jsonl -o report.html
  spantrail serve trace.jsonl
  spantrail run -- node app.js
`;

type Command = (args: Array<string>) => Promise<number>;

/** Each command's module loads only when it runs: a quick start for all. */
const lazy =
  (load: () => Promise<{ default: Command }>): Command =>
  async (args) =>
    (await load()).default(args);

const commands: Record<string, Command> = {
  view: lazy(() => import('./commands/view.js')),
  stats: lazy(() => import('./commands/stats.js')),
  convert: lazy(() => import('./commands/convert.js')),
  html: lazy(() => import('./commands/html.js')),
  serve: lazy(() => import('./commands/serve.js')),
  run: lazy(() => import('./commands/run.js')),
};

async function main(argv: Array<string>): Promise<number> {
  const [first, ...rest] = argv;
  if (
    first == null ||
    first === '--help' ||
    first === '-h' ||
    first === 'help'
  ) {
    if (
      first === 'help' &&
      rest.length > 0 &&
      Object.hasOwn(commands, rest[0])
    ) {
      return commands[rest[0]](['--help']);
    }
    process.stdout.write(help);
    return first == null ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(version + '\n');
    return 0;
  }
  if (!Object.hasOwn(commands, first)) {
    throw new CliError(
      `unknown command '${first.replace(/[^\x20-\x7e]/g, '?')}'\nRun 'spantrail --help' for usage.`,
      2,
    );
  }
  return commands[first](rest);
}

// A closed pipe (`spantrail view big.jsonl | head`) is a normal end.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof CliError) {
      process.stderr.write(`spantrail: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      process.stderr.write(
        `spantrail: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = 70;
    }
  },
);
