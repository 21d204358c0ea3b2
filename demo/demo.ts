/**
 * The demo: a small service tree built on `@matrixai/async-init`, traced
 * with `@Traceable` and `@traced`, writing a trace and then showing it.
 *
 * Run with `npm run demo`; pass `--trace-output <dest>` (or set
 * `SPANTRAIL_OUTPUT`) to send the trace elsewhere.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartStop } from '@matrixai/async-init/StartStop.js';
import { CreateDestroyStartStop } from '@matrixai/async-init/CreateDestroyStartStop.js';
import {
  SpanKind,
  Traceable,
  setTracer,
  traced,
  traceOutputFromArgs,
  tracerFromProcess,
} from 'spantrail';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const defaultOutput = path.join(root, 'tmp', 'demo-trace.jsonl');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Database extends StartStop {}
@Traceable()
@StartStop()
class Database {
  protected rows = new Map<string, string>();

  public async start(): Promise<void> {
    await sleep(5); // connecting
  }

  public async stop(): Promise<void> {
    await sleep(2);
  }

  public async query(sql: string, key: string, value?: string) {
    await sleep(1 + Math.random() * 3);
    if (sql === 'insert') this.rows.set(key, value!);
    return this.rows.get(key);
  }
}

interface Cache extends StartStop {}
@Traceable()
@StartStop()
class Cache {
  protected entries = new Map<string, string>();

  public async start(): Promise<void> {
    await sleep(1);
  }

  public async stop(): Promise<void> {}

  public get(key: string) {
    return this.entries.get(key);
  }

  public set(key: string, value: string) {
    this.entries.set(key, value);
  }
}

class Orders {
  public constructor(
    protected db: Database,
    protected cache: Cache,
  ) {}

  @traced({ attributes: (_self, args) => ({ 'order.id': String(args[0]) }) })
  public async place(id: string, items: Array<string>) {
    if (items.length === 0) throw new RangeError(`order ${id} has no items`);
    for (const item of this.lines(items)) {
      await this.db.query('insert', `${id}/${item}`, item);
    }
    this.cache.set(id, items.join(','));
    return items.length;
  }

  @traced()
  public *lines(items: Array<string>) {
    yield* items;
  }
}

interface App extends CreateDestroyStartStop {}
@Traceable()
@CreateDestroyStartStop()
class App {
  public static async createApp(): Promise<App> {
    const app = new App();
    await app.start();
    return app;
  }

  public db = new Database();
  public cache = new Cache();
  public orders = new Orders(this.db, this.cache);

  public async start(): Promise<void> {
    await this.db.start();
    await this.cache.start();
  }

  public async stop(): Promise<void> {
    await this.cache.stop();
    await this.db.stop();
  }

  public async destroy(): Promise<void> {}

  @traced({ kind: SpanKind.SERVER, root: true })
  public async handle(request: { id: string; items: Array<string> }) {
    return this.orders.place(request.id, request.items);
  }
}

async function main(): Promise<void> {
  if (traceOutputFromArgs([...process.argv], process.env, false) == null) {
    process.argv.push('--trace-output', defaultOutput);
  }
  const output = traceOutputFromArgs([...process.argv], process.env, false)!;
  const tracer = tracerFromProcess({ service: 'demo-shop' });
  setTracer(tracer);

  const app = await App.createApp();
  const requests = [
    { id: 'o-1', items: ['tea', 'milk'] },
    { id: 'o-2', items: ['bread'] },
    { id: 'o-3', items: [] },
    { id: 'o-4', items: ['jam', 'butter', 'honey'] },
  ];
  const results = await Promise.allSettled(requests.map((r) => app.handle(r)));
  await app.stop();
  await app.destroy();
  await tracer.close();

  const failed = results.filter((r) => r.status === 'rejected').length;
  process.stdout.write(
    `handled ${requests.length} requests (${failed} failed on purpose)\n`,
  );
  if (!fs.existsSync(output)) {
    process.stdout.write(`trace written to ${output}\n`);
    return;
  }
  const lines = fs.readFileSync(output, 'utf8').trim().split('\n');
  const spans = lines.filter((l) => l.startsWith('{"type":"span"')).length;
  process.stdout.write(
    `trace written to ${output} (${spans} spans; the file is appended to on every run)\n\n`,
  );
  const cli = path.join(root, 'dist', 'cli', 'main.js');
  const lastRun = lines.slice(
    lines.findLastIndex((l) => l.startsWith('{"type":"meta"')),
  );
  const current = path.join(path.dirname(output), 'demo-last-run.jsonl');
  fs.writeFileSync(current, lastRun.join('\n') + '\n');
  execFileSync(process.execPath, [cli, 'view', current], { stdio: 'inherit' });
  // in this repository the command is the built file; installed, `npx spantrail`
  const command = `node ${path.relative(process.cwd(), cli)}`;
  const file = path.relative(process.cwd(), output);
  process.stdout.write(
    `\nMore: ${command} view --mode time ${file}\n` +
      `      ${command} html ${file} -o report.html\n`,
  );
}

await main();
