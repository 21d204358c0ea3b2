import fs from 'node:fs';
import path from 'node:path';
import { distDir, spantrail } from './spantrail.js';

/**
 * spantrail's `traced` decorator from the build: the package export, else
 * the module itself while the export is not wired yet; undefined when the
 * decorators are not built.
 */
async function loadTraced() {
  if (typeof spantrail.traced === 'function') return spantrail.traced;
  const file = path.join(distDir, 'decorators', 'traced.js');
  if (!fs.existsSync(file)) return undefined;
  const mod = await import(file);
  return typeof mod.default === 'function' ? mod.default : undefined;
}

/**
 * Applies a legacy (experimentalDecorators) method decorator the way
 * TypeScript's output does.
 */
function decorate(cls, key, decorator) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, key);
  Object.defineProperty(
    cls.prototype,
    key,
    decorator(cls.prototype, key, descriptor) ?? descriptor,
  );
}

export { loadTraced, decorate };
