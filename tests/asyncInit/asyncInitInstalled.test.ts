import { afterAll, expect, test } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import asyncInitInstalled from '../../src/asyncInit/asyncInitInstalled.js';

// Real directory trees: the preload starts Node's module hooks thread only
// when this says a copy of async-init can be loaded.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spantrail-installed-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, paths: Record<string, string | null>): string {
  const root = path.join(tmp, name);
  for (const [p, text] of Object.entries(paths)) {
    const full = path.join(root, p);
    if (text == null) {
      fs.mkdirSync(full, { recursive: true });
    } else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, text);
    }
  }
  fs.mkdirSync(path.join(root, 'app/src'), { recursive: true });
  return path.join(root, 'app/src');
}

test('nothing installed: false', () => {
  const dir = tree('none', { 'app/node_modules/left-pad': null });
  expect(asyncInitInstalled([dir])).toBe(false);
  expect(asyncInitInstalled([])).toBe(false);
});

test('a copy in a node_modules above the directory: true', () => {
  expect(
    asyncInitInstalled([
      tree('scoped', { 'app/node_modules/@matrixai/async-init': null }),
    ]),
  ).toBe(true);
  // a workspace root above the app
  expect(
    asyncInitInstalled([
      tree('hoisted', { 'node_modules/@matrixai/async-init': null }),
    ]),
  ).toBe(true);
  // an npm alias (`"async-init-v1": "npm:@matrixai/async-init@1"`)
  expect(
    asyncInitInstalled([
      tree('alias', { 'app/node_modules/async-init-v1': null }),
    ]),
  ).toBe(true);
});

test('nested only, pnpm: found through the lockfile and the store', () => {
  const lock = JSON.stringify({
    packages: {
      'node_modules/@matrixai/db': {},
      'node_modules/@matrixai/db/node_modules/@matrixai/async-init': {},
    },
  });
  expect(
    asyncInitInstalled([
      tree('nested', {
        'app/node_modules/@matrixai/db/node_modules/@matrixai/async-init': null,
        'app/node_modules/.package-lock.json': lock,
      }),
    ]),
  ).toBe(true);
  expect(
    asyncInitInstalled([tree('pnpm', { 'app/node_modules/.pnpm': null })]),
  ).toBe(true);
  // another @matrixai package alone is not async-init
  expect(
    asyncInitInstalled([
      tree('other', { 'app/node_modules/@matrixai/logger': null }),
    ]),
  ).toBe(false);
});

test('any of several directories', () => {
  const none = tree('none2', {});
  const some = tree('some', { 'app/node_modules/@matrixai/async-init': null });
  expect(asyncInitInstalled([none, some])).toBe(true);
});
