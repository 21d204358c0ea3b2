import { ErrorSpantrail } from '../errors.js';

/**
 * An output that cannot be opened (a path that cannot be created, a symbolic
 * link, a file another user owns), or that could not write everything it
 * held before `close()` timed out. `option` names the option (`output`),
 * `target` the path or file descriptor, and `code` the system error code
 * when there was one.
 */
class ErrorOutput extends ErrorSpantrail {
  public readonly option: string;
  public readonly target: string;
  public readonly code: string | undefined;
  /** Characters still unwritten when `close()` gave up. */
  public readonly unwritten: number;

  public constructor(
    message: string,
    details: {
      target: string;
      option?: string;
      code?: string;
      unwritten?: number;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.option = details.option ?? 'output';
    this.target = details.target;
    this.code = details.code;
    this.unwritten = details.unwritten ?? 0;
  }
}

export { ErrorOutput };
