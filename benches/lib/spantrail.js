import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The build under test: `dist/`, or the folder named by SPANTRAIL_DIST (to
 * compare two builds, or to bench while someone else rebuilds `dist/`).
 */
const distUrl =
  process.env.SPANTRAIL_DIST != null && process.env.SPANTRAIL_DIST !== ''
    ? pathToFileURL(path.resolve(process.env.SPANTRAIL_DIST) + '/')
    : new URL('../../dist/', import.meta.url);

const distDir = path.resolve(new URL('.', distUrl).pathname);

const spantrail = await import(new URL('index.js', distUrl).href);

export const {
  Tracer,
  IdGenerator,
  JsonlOutput,
  setTracer,
  getTracer,
  noopTracer,
} = spantrail;
export { spantrail, distUrl, distDir };
