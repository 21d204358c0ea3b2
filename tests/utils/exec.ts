import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '../..',
);
const distIndex = path.join(root, 'dist/index.js');

type Result = {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
};

const scriptDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-scripts-'));
let scripts = 0;

/**
 * Runs plain `node` (no jest transform) on an ESM script given as text, with
 * `SPANTRAIL` in the script replaced by the built package's URL. The script
 * is a real file, so `process.argv` looks as it does for users.
 */
function runNode(
  source: string,
  options: {
    args?: Array<string>;
    env?: Record<string, string>;
    stdio?: Array<any>;
    timeout?: number;
    /** SIGKILL this many ms after the script first prints `ready`. */
    killAfterReady?: number;
  } = {},
): Promise<Result> {
  const script = path.join(scriptDir, `script-${scripts++}.mjs`);
  fs.writeFileSync(
    script,
    source.replaceAll('SPANTRAIL', 'file://' + distIndex),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killer: ReturnType<typeof setTimeout> | undefined;
    child.stdout?.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      if (
        options.killAfterReady !== undefined &&
        killer === undefined &&
        stdout.includes('ready')
      ) {
        killer = setTimeout(
          () => child.kill('SIGKILL'),
          options.killAfterReady,
        );
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(
      () => child.kill('SIGKILL'),
      options.timeout ?? 20000,
    );
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export { runNode, root, distIndex };
export type { Result };
