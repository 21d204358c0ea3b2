import { ErrorSpantrail } from '../errors.js';

/**
 * A batch of spans an OTLP exporter gave up on, or a queue that overflowed.
 * `status` is the HTTP status of the last answer, when there was one.
 */
class ErrorOtlpExport extends ErrorSpantrail {
  public readonly spans: number;
  public readonly status: number | undefined;

  public constructor(
    message: string,
    spans: number,
    status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.spans = spans;
    this.status = status;
  }
}

export { ErrorOtlpExport };
