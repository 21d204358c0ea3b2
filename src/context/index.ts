export {
  createContextManager,
  contextLostAttribute,
} from './createContextManager.js';
export { default as AlsContextManager } from './AlsContextManager.js';
export { default as ShimContextManager } from './ShimContextManager.js';
export * from './objectContext.js';
export {
  contextSpanKey,
  registerContexts,
  contextsReady,
  getContextParameterIndex,
  spanFromContextObject,
  withContextSpan,
} from './explicitContext.js';
