/**
 * Shared CLI plumbing: errors with exit codes, argument parsing, colour,
 * output, progress and loading inputs into the reader.
 */
import type { ParseArgsConfig } from 'node:util';
import type { RecordSink, ReadIssues } from '../reader/index.js';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { TraceReader, TraceReadError } from '../reader/index.js';
import CliError from './CliError.js';
import Colors from './Colors.js';
import { plural } from '../reader/format.js';

/** Exit code for bad usage (unknown option, bad value). */
const usageExit = 2;

type ParsedArgs = {
  values: Record<string, string | boolean | Array<string> | undefined>;
  positionals: Array<string>;
};

/**
 * `node:util` parseArgs with usage errors turned into {@link CliError}s
 * that point at `--help`.
 */
function parse(
  command: string,
  args: Array<string>,
  options: NonNullable<ParseArgsConfig['options']>,
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (e: any) {
    throw new CliError(
      `${usageMessage(e)}\nRun 'spantrail ${command} --help' for usage.`,
      usageExit,
    );
  }
}

/**
 * A parseArgs error in the CLI's own words: node's messages name its
 * internals ("To specify a positional argument starting with a '-'...",
 * "'--width <value>' argument missing").
 */
function usageMessage(e: any): string {
  const message = String(e?.message ?? e);
  const quoted = /'([^']*)'/.exec(message)?.[1];
  const option = quoted?.replace(/ <value>$/, '');
  switch (e?.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${clean(option ?? '')}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message)
        ? `option ${clean(option ?? '')} takes no value`
        : `option ${clean(option ?? '')} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${clean(quoted ?? '')}'`;
    default:
      return clean(message);
  }
}

/** Parses `--width`; undefined when absent. */
function parseWidth(v: unknown): number | undefined {
  if (v == null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 40 || n > 1000) {
    throw new CliError(
      `--width must be an integer from 40 to 1000, got '${String(v)}'`,
      usageExit,
    );
  }
  return n;
}

/**
 * Colour on when asked (`--color`), off when asked (`--no-color`) or when
 * `NO_COLOR` is set (https://no-color.org), else on for a terminal.
 */
function colorsFor(
  values: ParsedArgs['values'],
  stream: NodeJS.WriteStream = process.stdout,
): Colors {
  if (values['no-color'] === true) return new Colors(false);
  if (values.color === true) return new Colors(true);
  const noColor = process.env.NO_COLOR;
  if (noColor != null && noColor !== '') return new Colors(false);
  return new Colors(stream.isTTY === true);
}

const colorOptions = {
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} as const;

/**
 * Replaces control characters (newlines, ESC, C1) and bidirectional
 * controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) in trace
 * strings with visible escapes, so a span name cannot move the cursor,
 * restyle the terminal, or reorder the text shown after it.
 */
function clean(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    escapeControl,
  );
}

function escapeControl(c: string): string {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

/** Display width of a string (code points; good enough for ids and names). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cuts to `max` code points, ending with `…` when cut. */
function truncate(s: string, max: number): string {
  if (max <= 0) return '';
  const chars = [...s];
  if (chars.length <= max) return s;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/** Pads to `n` code points. */
function padEnd(s: string, n: number): string {
  const w = width(s);
  return w >= n ? s : s + ' '.repeat(n - w);
}

function padStart(s: string, n: number): string {
  const w = width(s);
  return w >= n ? s : ' '.repeat(n - w) + s;
}

/** Writes to stdout, waiting for it to drain (large outputs, pipes). */
async function writeOut(text: string): Promise<void> {
  if (text.length === 0) return;
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(text, (e) => (e != null ? reject(e) : resolve()));
  });
}

/**
 * A progress line on stderr while big inputs are read; only on a terminal
 * so logs and pipes stay clean.
 */
function progressReporter():
  | {
      onProgress: (file: string, read: number, total: number) => void;
      done: () => void;
    }
  | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  let last = 0;
  let shown = false;
  return {
    onProgress: (file, read, total) => {
      if (total < 16 * 1024 * 1024) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      const pct = Math.floor((read / total) * 100);
      const mb = (n: number): string => (n / 1048576).toFixed(0);
      process.stderr.write(
        `\r\x1b[Kreading ${clean(file)}: ${pct}% (${mb(read)}/${mb(total)} MB)`,
      );
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/**
 * Reads trace inputs into a sink. Fails with a clear error for a missing
 * file and for inputs with no valid record at all (not a trace).
 */
async function readInputs(
  files: Array<string>,
  sink: RecordSink,
  options: { details?: boolean } = {},
): Promise<{ issues: ReadIssues; records: number }> {
  const progress = progressReporter();
  const reader = new TraceReader({
    details: options.details,
    onProgress: progress?.onProgress,
  });
  let records = 0;
  try {
    for (const file of files) {
      const result = await reader.read(file, sink);
      if (result.records === 0) {
        progress?.done();
        throw new CliError(
          result.bytes === 0
            ? `${file} is empty: no trace records`
            : `${file} is not a spantrail trace (no valid record in it)`,
        );
      }
      records += result.records;
    }
  } catch (e) {
    progress?.done();
    if (e instanceof TraceReadError) throw new CliError(e.message);
    throw e;
  }
  progress?.done();
  return { issues: reader.issues, records };
}

/**
 * Input files of a command: the positionals, or stdin (`-`) when none are
 * given and stdin is not a terminal.
 */
function inputFiles(
  command: string,
  positionals: Array<string>,
): Array<string> {
  if (positionals.length > 0) return positionals;
  if (process.stdin.isTTY !== true) return ['-'];
  throw new CliError(
    `no trace file given\nRun 'spantrail ${command} --help' for usage.`,
    usageExit,
  );
}

/** One line summarising skipped input, or '' when nothing was skipped. */
function issuesLine(issues: ReadIssues): string {
  const parts: Array<string> = [];
  if (issues.malformed > 0)
    parts.push(plural(issues.malformed, 'malformed line'));
  if (issues.torn > 0) parts.push(plural(issues.torn, 'torn last line'));
  if (issues.unknown > 0) {
    parts.push(plural(issues.unknown, 'record') + ' of unknown type');
  }
  if (parts.length === 0) return '';
  const where = issues.samples
    .slice(0, 3)
    .map((s) => `${clean(s.file)}:${s.line} ${s.reason}`)
    .join('; ');
  return `skipped ${parts.join(', ')}${where !== '' ? ` (${where})` : ''}`;
}

/** Text gathered into writes of about this many characters. */
const chunkTarget = 1 << 20;

/**
 * Writes pieces of text to a file (or stdout when `path` is undefined)
 * in bounded memory: pieces are gathered to about a megabyte per write,
 * waiting for the stream to drain.
 */
async function writeChunks(
  path: string | undefined,
  chunks: Iterable<string>,
  tail: string = '',
): Promise<void> {
  const stream: NodeJS.WritableStream =
    path == null ? process.stdout : fs.createWriteStream(path);
  const failed = new Promise<never>((_, reject) =>
    stream.once('error', (e: Error) =>
      reject(
        path == null
          ? e
          : new CliError(`cannot write ${path}: ${e?.message ?? String(e)}`),
      ),
    ),
  );
  failed.catch(() => undefined);
  const write = async (text: string): Promise<void> => {
    if (!stream.write(text)) {
      await Promise.race([
        new Promise((resolve) => stream.once('drain', resolve)),
        failed,
      ]);
    }
  };
  let parts: Array<string> = [];
  let size = 0;
  for (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= chunkTarget) {
      await write(parts.join(''));
      parts = [];
      size = 0;
    }
  }
  parts.push(tail);
  await write(parts.join(''));
  if (path != null) {
    await Promise.race([
      new Promise<void>((resolve) => stream.end(() => resolve())),
      failed,
    ]);
  }
}

/** Writes a file, turning errors into {@link CliError}s. */
async function writeFileOrFail(path: string, data: string): Promise<void> {
  try {
    await fs.promises.writeFile(path, data);
  } catch (e: any) {
    throw new CliError(`cannot write ${path}: ${e?.message ?? String(e)}`);
  }
}

export {
  usageExit,
  parse,
  parseWidth,
  colorsFor,
  colorOptions,
  clean,
  width,
  truncate,
  padEnd,
  padStart,
  writeOut,
  progressReporter,
  readInputs,
  inputFiles,
  issuesLine,
  writeFileOrFail,
  writeChunks,
};
export type { ParsedArgs };
