import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';
import { getBuiltin } from '../utils/platform.js';

/**
 * Whether a copy of `@matrixai/async-init` (or a package aliased to a name
 * holding `async-init`) may be loaded by a program run from these
 * directories: one is in a `node_modules` above one of them (nested copies
 * through npm's `node_modules/.package-lock.json`), or the layout hides it
 * (a pnpm store, Yarn Plug'n'Play), or it cannot be told. The
 * preload registers its module hooks only then: they start a thread that
 * costs every program tens of milliseconds.
 */
function asyncInitInstalled(dirs: Array<string>): boolean {
  const fs = getBuiltin<typeof NodeFs>('node:fs');
  const path = getBuiltin<typeof NodePath>('node:path');
  if (fs == null || path == null) return true;
  if ((globalThis as any).process?.versions?.pnp != null) return true;
  const seen = new Set<string>();
  for (const start of dirs) {
    for (let dir = path.resolve(start); !seen.has(dir);) {
      seen.add(dir);
      const modules = path.join(dir, 'node_modules');
      if (holdsAsyncInit(fs, path, modules)) return true;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return false;
}

function holdsAsyncInit(
  fs: typeof NodeFs,
  path: typeof NodePath,
  modules: string,
): boolean {
  let names: Array<string>;
  try {
    names = fs.readdirSync(modules);
  } catch {
    return false;
  }
  for (const name of names) {
    if (name === '.pnpm' || name.includes('async-init')) return true;
  }
  try {
    if (
      names.includes('@matrixai') &&
      fs
        .readdirSync(path.join(modules, '@matrixai'))
        .some((name) => name.includes('async-init'))
    ) {
      return true;
    }
  } catch {
    // unreadable scope: look at the lockfile
  }
  // npm's hidden lockfile lists nested copies too
  // (`node_modules/@matrixai/db/node_modules/@matrixai/async-init`)
  try {
    return fs
      .readFileSync(path.join(modules, '.package-lock.json'), 'utf8')
      .includes('/async-init');
  } catch {
    return false;
  }
}

export default asyncInitInstalled;
