import { describe, test, expect } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '../..',
);

/** The names docs/api.md lists under each `## \`entry\`` heading. */
function documented(): Map<string, Array<string>> {
  const text = fs.readFileSync(path.join(root, 'docs/api.md'), 'utf8');
  const entries = new Map<string, Array<string>>();
  let current: Array<string> | undefined;
  for (const line of text.split('\n')) {
    const heading = /^## `([^`]+)`$/.exec(line);
    if (heading != null) {
      current = [];
      entries.set(heading[1], current);
      continue;
    }
    const item = /^- `([^`]+)` — /.exec(line);
    if (item != null && current != null) current.push(item[1]);
  }
  return entries;
}

const entryFiles: Record<string, string> = {
  spantrail: 'src/index.ts',
  'spantrail/reader': 'src/reader/index.ts',
  'spantrail/otel': 'src/otel/index.ts',
  'spantrail/register': 'src/register.ts',
  'spantrail/esbuild': 'src/bundler/esbuild.ts',
  'spantrail/vite': 'src/bundler/vite.ts',
  'spantrail/bundler': 'src/bundler/index.ts',
  'spantrail/bundler/runtime': 'src/bundler/runtime.ts',
};

describe('docs/api.md lists the public API', () => {
  const docs = documented();

  test('it covers every entry point of package.json', () => {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
    );
    const entries = Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? 'spantrail' : `spantrail/${k.slice(2)}`));
    expect(entries.filter((e) => !docs.has(e))).toEqual([]);
  });

  test.each(Object.entries(entryFiles))(
    '%s exports exactly the listed names',
    async (entry, file) => {
      const mod = await import(path.join(root, file));
      const exported = Object.keys(mod).sort();
      expect(exported).toEqual([...(docs.get(entry) ?? [])].sort());
    },
  );
});
