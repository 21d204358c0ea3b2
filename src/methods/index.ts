export { wrapTraced, invokeTraced, keepIdentity } from './wrap.js';
export { tracedMarker, isTraced, unwrapTraced } from './markers.js';
export { keyName, accessorPrefix, methodSpanName } from './names.js';
export type { WrapSpec } from './wrap.js';
export type * from './types.js';
