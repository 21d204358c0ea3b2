/** ANSI styling, a no-op when disabled. */
class Colors {
  public readonly enabled: boolean;

  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  public red(s: string): string {
    return this.wrap(s, '31');
  }

  public green(s: string): string {
    return this.wrap(s, '32');
  }

  public yellow(s: string): string {
    return this.wrap(s, '33');
  }

  public cyan(s: string): string {
    return this.wrap(s, '36');
  }

  public dim(s: string): string {
    return this.wrap(s, '2');
  }

  public bold(s: string): string {
    return this.wrap(s, '1');
  }

  protected wrap(s: string, code: string): string {
    return this.enabled && s.length > 0 ? `\x1b[${code}m${s}\x1b[0m` : s;
  }
}

export default Colors;
