import type ShimContextManager from './ShimContextManager.js';

/**
 * The shim whose span the await transform restores after an `await`: the
 * default context manager, when it is a shim (no AsyncLocalStorage). It
 * stays undefined where AsyncLocalStorage exists, so transformed code does
 * nothing there.
 */
let resumeTarget: ShimContextManager | undefined;

function setResumeTarget(shim: ShimContextManager | undefined): void {
  resumeTarget = shim;
}

function getResumeTarget(): ShimContextManager | undefined {
  return resumeTarget;
}

export { setResumeTarget, getResumeTarget };
