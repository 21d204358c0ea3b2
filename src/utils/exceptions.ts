import { safeJson } from './attributes.js';

/**
 * Turns a thrown value into an `Error`-like triple for exception events.
 * Never throws: a hostile value (throwing getters, a revoked proxy) must not
 * replace the error the program is handling.
 */
function describeException(exception: unknown): {
  type: string;
  message: string;
  stacktrace?: string;
} {
  try {
    return describeThrown(exception);
  } catch {
    return { type: typeof exception, message: '' };
  }
}

function describeThrown(exception: unknown): {
  type: string;
  message: string;
  stacktrace?: string;
} {
  if (
    exception instanceof Error ||
    (typeof exception === 'object' && exception !== null)
  ) {
    const e = exception as {
      name?: unknown;
      message?: unknown;
      stack?: unknown;
      constructor?: { name?: unknown };
    };
    const ctorName =
      typeof e.constructor?.name === 'string' && e.constructor.name !== 'Object'
        ? e.constructor.name
        : undefined;
    const type = ctorName ?? (typeof e.name === 'string' ? e.name : 'Error');
    const message =
      typeof e.message === 'string'
        ? e.message
        : (safeJson(exception, 4096) ?? '');
    const stack = typeof e.stack === 'string' ? e.stack : undefined;
    return { type, message, stacktrace: stack };
  }
  let message: string;
  try {
    message = String(exception);
  } catch {
    message = typeof exception;
  }
  return { type: typeof exception, message };
}

export { describeException };
