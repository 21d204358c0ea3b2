export { default as IndexFollower } from './IndexFollower.js';
export { default as ViewerServer, scanFiles } from './ViewerServer.js';
export type { IndexFollowerOptions } from './IndexFollower.js';
export type { ViewerServerOptions } from './ViewerServer.js';
