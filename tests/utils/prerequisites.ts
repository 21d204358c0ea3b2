import { describe, test } from '@jest/globals';

/**
 * `describe` when what the block needs (a browser, tmux) is here. Without
 * it the block is skipped on a developer's machine, but fails under CI,
 * which installs it: a missing prerequisite must not pass for green.
 */
function describeWhen(
  available: boolean,
  need: string,
): (name: string, fn: () => void) => void {
  if (available) return describe;
  if (process.env.CI == null || process.env.CI === '') return describe.skip;
  return (name) =>
    describe(name, () => {
      test(`needs ${need}`, () => {
        throw new Error(`${need} is missing; CI installs it`);
      });
    });
}

export { describeWhen };
