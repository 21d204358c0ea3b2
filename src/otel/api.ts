import type * as OtelApi from '@opentelemetry/api';
import type * as NodeModule from 'node:module';
import { getBuiltin } from '../utils/platform.js';
import { ErrorOtelApiMissing } from './errors.js';

/**
 * The optional peer `@opentelemetry/api`, loaded with `require` so that a
 * missing package is one clear error instead of the loader's
 * `ERR_MODULE_NOT_FOUND` (a static import fails before any code runs).
 * Node resolves the package to its CommonJS build for `import` as well, so
 * this is the same instance the program imports.
 */
function loadApi(): typeof OtelApi {
  const createRequire =
    getBuiltin<typeof NodeModule>('node:module')?.createRequire;
  if (createRequire == null) {
    throw new ErrorOtelApiMissing(
      'spantrail/otel loads @opentelemetry/api with require(), which this ' +
        'runtime does not have (Node, Deno and Bun do)',
    );
  }
  try {
    return createRequire(import.meta.url)('@opentelemetry/api');
  } catch (e: any) {
    if (e?.code === 'MODULE_NOT_FOUND') {
      throw new ErrorOtelApiMissing(
        'spantrail/otel needs the package @opentelemetry/api: ' +
          'npm install @opentelemetry/api',
        { cause: e },
      );
    }
    throw e;
  }
}

const api = loadApi();
const {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  context,
  createContextKey,
  createTraceState,
  isSpanContextValid,
  propagation,
  trace,
} = api;

export {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  context,
  createContextKey,
  createTraceState,
  isSpanContextValid,
  propagation,
  trace,
};
