import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tty from 'node:tty';
import { fileURLToPath, pathToFileURL } from 'node:url';
import CliError from '../CliError.js';
import { clean, parse, usageExit, writeOut } from '../util.js';

const help = `Usage: spantrail run [--trace-output <dest>] -- <command...>

Run a Node program with spantrail's preload (spantrail/register), which
traces it and writes spans to <dest>. The command's exit code and signals
are passed through. A command that is a .js/.mjs/.cjs file runs with this
Node; anything else (node, npm, npx, ...) runs as given, and every Node
process it starts inherits the preload through NODE_OPTIONS.

Options:
  -o, --trace-output <dest>  where spans go (SPANTRAIL_OUTPUT; default
                             trace.jsonl)
  -h, --help                 show this help

Examples:
  spantrail run -- node server.js
  spantrail run --trace-output out/trace.jsonl -- npm test
  spantrail run -- app.mjs --port 8080
`;

/** Signals we catch while the child runs, so that we outlive it. */
const handled: Array<NodeJS.Signals> = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
];

/**
 * Whether `run` passes `signal` on to the child. On a terminal the child is
 * in our foreground process group, so the terminal (or the shell, for a
 * hangup) already delivers the keyboard signals to it: a second SIGINT
 * reads as a force-quit to many programs, which then skip their graceful
 * shutdown and trace flush. SIGTERM is sent to us alone, so it is always
 * forwarded, and so is everything when a supervisor signals only us.
 */
function forwardsSignal(signal: NodeJS.Signals, terminal: boolean): boolean {
  return !terminal || signal === 'SIGTERM';
}

/** Absolute path of the preload module (dist/register.js). */
function registerPath(): string {
  const override = process.env.SPANTRAIL_REGISTER;
  if (override != null && override !== '') return path.resolve(override);
  // relative to the built command, dist/cli/main.js, this code's bundle
  return fileURLToPath(new URL('../register.js', import.meta.url));
}

/**
 * Splits `[options] [--] command...`: options end at `--` or at the first
 * argument that is not an option (or an option's value).
 */
function splitCommand(args: Array<string>): {
  own: Array<string>;
  command: Array<string>;
} {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--')
      return { own: args.slice(0, i), command: args.slice(i + 1) };
    if (a === '--trace-output' || a === '-o') {
      i++;
      continue;
    }
    if (!a.startsWith('-')) {
      return { own: args.slice(0, i), command: args.slice(i) };
    }
  }
  return { own: args, command: [] };
}

async function run(args: Array<string>): Promise<number> {
  const { own, command } = splitCommand(args);
  const { values, positionals } = parse('run', own, {
    'trace-output': { type: 'string', short: 'o', default: 'trace.jsonl' },
  });
  if (values.help === true) {
    await writeOut(help);
    return 0;
  }
  command.unshift(...positionals);
  if (command.length === 0) {
    throw new CliError(
      `no command given\nRun 'spantrail run --help' for usage.`,
      usageExit,
    );
  }
  const preload = registerPath();
  if (!fs.existsSync(preload)) {
    throw new CliError(
      `spantrail/register not found at ${preload} (is the package built?)`,
    );
  }
  // A URL has no spaces to quote inside NODE_OPTIONS.
  const importFlag = `--import=${pathToFileURL(preload).href}`;
  const nodeOptions = [process.env.NODE_OPTIONS, importFlag]
    .filter((x) => x != null && x !== '')
    .join(' ');
  const env = {
    ...process.env,
    NODE_OPTIONS: nodeOptions,
    SPANTRAIL_OUTPUT: values['trace-output'] as string,
  };
  let [file, ...rest] = command;
  if (/\.[cm]?js$/.test(file)) {
    rest = [file, ...rest];
    file = process.execPath;
  }
  const child = spawn(file, rest, { stdio: 'inherit', env });
  // isatty rather than process.stdin, which would open a stream on fd 0.
  const terminal = tty.isatty(0);
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of handled) {
    const handler = (): void => {
      if (forwardsSignal(signal, terminal) && child.exitCode == null) {
        child.kill(signal);
      }
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  const [code, signal] = await new Promise<
    [number | null, NodeJS.Signals | null]
  >((resolve, reject) => {
    child.once('error', (e: any) => {
      reject(
        new CliError(
          e?.code === 'ENOENT'
            ? `command not found: ${clean(file)}`
            : `cannot run ${clean(file)}: ${e?.message ?? String(e)}`,
          127,
        ),
      );
    });
    child.once('exit', (c, s) => resolve([c, s]));
  }).finally(() => {
    for (const [s, h] of handlers) process.off(s, h);
  });
  if (signal != null) {
    // Die by the same signal so our parent sees what the child saw.
    process.kill(process.pid, signal);
    // If the signal is ignored or handled elsewhere, use the shell's code.
    return 128 + (signalNumber(signal) ?? 1);
  }
  return code ?? 1;
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return numbers[signal];
}

export default run;
export { splitCommand, forwardsSignal };
