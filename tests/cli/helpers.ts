import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
/** The built command; `npm test` builds it first. */
const cli = path.join(root, 'dist/cli/main.js');
const fixtures = path.join(root, 'tests/fixtures/traces');
const artifacts = path.join(root, 'tests/artifacts');

type CliResult = { code: number | null; stdout: string; stderr: string };

function assertBuilt(): void {
  if (!fs.existsSync(cli)) {
    throw new Error(`${cli} missing: run 'npm run build' first`);
  }
}

/** Runs `spantrail` in a child process. */
function runCli(
  args: Array<string>,
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    input?: string;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    Object.assign(env, options.env);
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? fixtures,
      env: env as NodeJS.ProcessEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Compares with a committed golden file; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, actual: string): string {
  const file = path.join(here, '__golden__', name);
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI != null) {
      throw new Error(`golden file ${name} missing`);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
  }
  return fs.readFileSync(file, 'utf8');
}

type Served = {
  child: ChildProcess;
  url: string;
  origin: string;
  token: string;
  stderr: () => string;
};

/** Starts `spantrail serve` and reads the URL from its first stdout line. */
function serve(files: Array<string>): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'serve', ...files, '--interval', '100'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        const url = out.slice(0, nl);
        const u = new URL(url);
        resolve({
          child,
          url,
          origin: u.origin,
          token: u.searchParams.get('token')!,
          stderr: () => err,
        });
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`serve exited ${code} before its URL: ${err}`)),
    );
  });
}

function stop(s: Served): Promise<number | null> {
  return new Promise((resolve) => {
    if (s.child.exitCode != null) {
      resolve(s.child.exitCode);
      return;
    }
    s.child.once('exit', (code) => resolve(code));
    s.child.kill('SIGINT');
  });
}

export {
  root,
  cli,
  fixtures,
  artifacts,
  runCli,
  golden,
  assertBuilt,
  serve,
  stop,
};
export type { CliResult, Served };
