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

export { chromiumArgs };
