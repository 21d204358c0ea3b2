import { ErrorSpantrail } from '../errors.js';

/**
 * `spantrail/otel` was loaded where its optional peer `@opentelemetry/api`
 * cannot be found. The message names the package to install.
 */
class ErrorOtelApiMissing extends ErrorSpantrail {}

export { ErrorOtelApiMissing };
