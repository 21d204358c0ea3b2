export { default as endWhenDone, runInSpan } from './endWhenDone.js';
export { default as TracedGenerator } from './TracedGenerator.js';
export { default as TracedAsyncGenerator } from './TracedAsyncGenerator.js';
export { default as TracedIterator } from './TracedIterator.js';
export { reportResult, isGeneratorLike } from './utils.js';
