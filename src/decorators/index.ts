export { default as traced } from './traced.js';
export { default as Traceable } from './Traceable.js';
export { isTraced, unwrapTraced } from '../methods/markers.js';
export type * from '../methods/types.js';
