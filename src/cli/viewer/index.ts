export { default as viewerClient } from './viewerClient.js';
export { renderViewerPage, escapeHtml, scriptJson } from './viewerPage.js';
export type { ViewerPageOptions } from './viewerPage.js';
export { spanDetail } from './spanDetail.js';
export type { ReadText, LegacyDetail } from './spanDetail.js';
