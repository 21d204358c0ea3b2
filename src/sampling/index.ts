export { default as AlwaysOnSampler } from './AlwaysOnSampler.js';
export { default as AlwaysOffSampler } from './AlwaysOffSampler.js';
export { default as TraceIdRatioSampler } from './TraceIdRatioSampler.js';
export { default as ParentBasedSampler } from './ParentBasedSampler.js';
