/**
 * The browser entry: bundled with esbuild (platform=browser) together with
 * `dist/` and the suite, and driven by `index.js` through Playwright.
 */
import * as lib from '../../dist/index.js';
import { runContextSuite } from './suite.js';

globalThis.runSuite = (options) => runContextSuite(lib, options);
