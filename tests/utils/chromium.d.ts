/** Launch flags for Debian's Chromium on these machines. */
declare const chromiumArgs: Array<string>;

/** The path of an installed Chromium, or undefined. */
declare function chromiumPath(): string | undefined;

export { chromiumArgs, chromiumPath };
