import { execFileSync } from 'node:child_process';

// Flags for Debian's Chromium on these machines, shared by the HTML report
// test and the runtime suite: headless as root, and no background
// networking (this machine's closed network refuses it).
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The path of an installed Chromium, or undefined. */
function chromiumPath() {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (p !== '') return p;
    } catch {
      // not installed under this name
    }
  }
  return undefined;
}

export { chromiumArgs, chromiumPath };
