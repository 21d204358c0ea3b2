import { ErrorSpantrail } from '../errors.js';

/** An error shown as `spantrail: <message>` with an exit code. */
class CliError extends ErrorSpantrail {
  public readonly exitCode: number;

  constructor(message: string, exitCode: number = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export default CliError;
