export { default as JsonlOutput } from './JsonlOutput.js';
export { default as FdSink } from './FdSink.js';
export { default as StreamSink } from './StreamSink.js';
export { default as WebStreamSink } from './WebStreamSink.js';
export { default as FunctionSink } from './FunctionSink.js';
export { default as createProcessor } from './createProcessor.js';
export { ErrorOutput } from './errors.js';
