/** Launch flags for Debian's Chromium on these machines. */
declare const chromiumArgs: Array<string>;

export { chromiumArgs };
