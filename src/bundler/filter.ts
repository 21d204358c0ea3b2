/**
 * Which files the bundler plugins rewrite. A pattern is a RegExp (tested
 * against the file's absolute path, with `/` separators), a string (a path
 * prefix: a file or folder, relative to the working directory), or a
 * function of the path.
 *
 * @module
 */
import path from 'node:path';
import { toText } from '../utils/attributes.js';

type FilterPattern =
  | string
  | RegExp
  | ((id: string) => boolean)
  | ReadonlyArray<string | RegExp | ((id: string) => boolean)>;

type FilterOptions = {
  /** Files to rewrite; default: JavaScript and TypeScript modules. */
  include?: FilterPattern;
  /** Files to leave alone, even when included; default: `node_modules`. */
  exclude?: FilterPattern;
};

// ES modules: the rewrite adds an `import`, which a CommonJS file
// (`.cjs`, `.cts`) cannot have
const defaultInclude = /\.(?:m?[jt]s|[jt]sx)$/;
const defaultExclude = /\/node_modules\//;

function normalise(id: string): string {
  return id.replace(/\\/g, '/');
}

function matcher(
  pattern: FilterPattern,
  root: string,
): (id: string) => boolean {
  const list = (Array.isArray(pattern) ? pattern : [pattern]) as Array<
    string | RegExp | ((id: string) => boolean)
  >;
  const tests = list.map((p): ((id: string) => boolean) => {
    if (p instanceof RegExp) {
      return (id) => {
        p.lastIndex = 0;
        return p.test(id);
      };
    }
    if (typeof p === 'function') return (id) => p(id) === true;
    if (typeof p === 'string') {
      const prefix = normalise(path.resolve(root, p));
      return (id) =>
        id === prefix ||
        id.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
    }
    throw new TypeError(
      `include/exclude: expected a string, RegExp or function, got ${toText(p)}`,
    );
  });
  return (id) => tests.some((t) => t(id));
}

/**
 * The filter for `options`: true for a file to rewrite. Virtual modules
 * (ids with a NUL byte) and query strings are never rewritten. Throws a
 * `TypeError` on a pattern of another kind.
 */
function createFilter(
  options: FilterOptions = {},
  root: string = process.cwd(),
): (id: string) => boolean {
  if (typeof root !== 'string') {
    throw new TypeError(`root: expected a path, got ${toText(root)}`);
  }
  let includeOption: FilterPattern | undefined;
  let excludeOption: FilterPattern | undefined;
  let include: (id: string) => boolean;
  let exclude: (id: string) => boolean;
  try {
    ({ include: includeOption, exclude: excludeOption } = options ?? {});
    include = matcher(includeOption ?? defaultInclude, root);
    exclude = matcher(excludeOption ?? defaultExclude, root);
  } catch (e) {
    // ours name the options; what a Proxy or getter threw does not
    if (e instanceof TypeError && e.message.startsWith('include/exclude')) {
      throw e;
    }
    throw new TypeError('include/exclude: the options cannot be read', {
      cause: e,
    });
  }
  const includeSource =
    includeOption == null ? include : matcher(defaultInclude, root);
  return (raw) => {
    if (typeof raw !== 'string' || raw.includes('\0') || raw.includes('?')) {
      return false;
    }
    const id = normalise(raw);
    return includeSource(id) && include(id) && !exclude(id);
  };
}

export type { FilterPattern, FilterOptions };
export { createFilter, defaultInclude, defaultExclude };
