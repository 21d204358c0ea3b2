/** An error shown as `spantrail: <message>` with an exit code. */
class CliError extends Error {
  public readonly exitCode: number;

  constructor(message: string, exitCode: number = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export default CliError;
