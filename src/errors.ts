/**
 * Errors of spantrail itself. Invalid options throw `TypeError`s naming the
 * option; nothing spantrail does while tracing throws into the program.
 */
class ErrorSpantrail extends Error {
  public constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = this.constructor.name;
  }
}

export { ErrorSpantrail };
