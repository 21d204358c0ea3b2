export { default as spantrailEsbuild } from './esbuild.js';
export { default as spantrailVite } from './vite.js';
export { createAwaitTransform } from './plugin.js';
export { transformAwaits } from './transform.js';
export { createFilter } from './filter.js';
export type { AwaitPluginOptions } from './plugin.js';
export type { FilterOptions, FilterPattern } from './filter.js';
export type { TransformOptions, TransformResult } from './transform.js';
