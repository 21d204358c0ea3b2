import { Tracer } from 'spantrail';
import type { Span } from 'spantrail';
import { getJson, items } from './api.js';
import type { Item } from './api.js';

// The page's own sink: the JSONL trace is collected here and posted back
// to the server that served the page.
let trace = '';
const tracer = new Tracer({
  service: 'app',
  output: (chunk: string) => {
    trace += chunk;
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A traced step whose expected parent's name is recorded on it. */
function step<T>(
  name: string,
  parent: string,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> | T {
  return tracer.startActiveSpan(
    name,
    { attributes: { 'app.expectedParent': parent } },
    fn,
  );
}

function leaf(name: string, parent: string): void {
  tracer
    .startSpan(name, { attributes: { 'app.expectedParent': parent } })
    .end();
}

async function render(click: string, item: Item): Promise<void> {
  await step(`${click}.render`, click, async () => {
    await sleep(item.id % 3);
    const li = document.createElement('li');
    li.textContent = item.name;
    document.getElementById('items')!.append(li);
    leaf(`${click}.paint`, `${click}.render`);
  });
}

async function handleClick(click: string): Promise<number> {
  return step(click, '', async () => {
    const ids = await getJson<Array<number>>('/api/items');
    leaf(`${click}.ids`, click);
    const loaded: Array<Item> = [];
    for await (const item of items(ids)) {
      leaf(`${click}.item`, click);
      loaded.push(item);
    }
    try {
      await getJson('/api/fail');
    } catch {
      leaf(`${click}.recovered`, click);
    } finally {
      await sleep(1);
      leaf(`${click}.finally`, click);
    }
    await Promise.all(loaded.map(async (item) => render(click, item)));
    // outlives the click: resumes after the click's span has ended
    backgrounds.push(
      step(`${click}.background`, click, async () => {
        await sleep(30);
        leaf(`${click}.background.done`, `${click}.background`);
      }),
    );
    leaf(`${click}.end`, click);
    return loaded.length;
  });
}

const backgrounds: Array<Promise<void> | void> = [];

async function main(): Promise<void> {
  // two concurrent clicks interleave their awaits
  const counts = await Promise.all([handleClick('a'), handleClick('b')]);
  await Promise.all(backgrounds);
  await tracer.flush();
  await fetch('/trace', { method: 'POST', body: trace });
  document.title = `done ${counts.join(',')}`;
}

void main();
