// Target options a user writes: the strategy options' defaults, environment overrides and
// the errors for bad values (each names the option, the value and what to write instead).
import { afterEach, describe, expect, it } from 'vitest';
import { OptionsError, resolveBuildOptions, type BuildTargetOptions } from './options.js';

const ctx = { workspaceRoot: '/ws', projectRoot: '/ws/p', projectName: 'p', log: () => {} };
const resolve = (o: BuildTargetOptions) => resolveBuildOptions(o, ctx);
const saved = { ...process.env };
afterEach(() => {
  for (const k of ['AUTOPAR_STRATEGY', 'AUTOPAR_SAMPLES']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('strategy options', () => {
  it('default to zero-shot, one sample, the strategy\'s own budget', () => {
    expect(resolve({})).toMatchObject({ strategy: 'zero-shot', samples: 1, strategyBudget: undefined });
  });

  it('take the target\'s values, and AUTOPAR_STRATEGY / AUTOPAR_SAMPLES over them', () => {
    expect(resolve({ strategy: 'tree-of-thoughts', samples: 3, strategyBudget: 4 })).toMatchObject({ strategy: 'tree-of-thoughts', samples: 3, strategyBudget: 4 });
    process.env.AUTOPAR_STRATEGY = 'few-shot';
    process.env.AUTOPAR_SAMPLES = '2';
    expect(resolve({ strategy: 'tree-of-thoughts' })).toMatchObject({ strategy: 'few-shot', samples: 2 });
  });

  it('refuse an unknown strategy, listing the six', () => {
    expect(() => resolve({ strategy: 'tot' as never })).toThrow(OptionsError);
    expect(() => resolve({ strategy: 'tot' as never })).toThrow(
      'option "strategy" (or AUTOPAR_STRATEGY) is "tot"; use one of "zero-shot", "few-shot", "chain-of-thought", "step-by-step", "tree-of-thoughts", "react"',
    );
  });

  it('refuse samples outside 1..16 and a budget that is not a positive integer', () => {
    expect(() => resolve({ samples: 0 })).toThrow('option "samples" (or AUTOPAR_SAMPLES) must be an integer from 1 to 16, got 0');
    process.env.AUTOPAR_SAMPLES = 'many';
    expect(() => resolve({})).toThrow('got "many"');
    delete process.env.AUTOPAR_SAMPLES;
    expect(() => resolve({ strategyBudget: 2.5 })).toThrow('option "strategyBudget" must be a positive integer (model calls per kernel), got 2.5');
  });

  it('refuse react when neither model is asked for plans or menu picks', () => {
    expect(() => resolve({ strategy: 'react', modelOutput: 'function', embeddedOutput: 'function' })).toThrow(
      'option "strategy" is "react", which acts through plans: set "embeddedOutput" or "modelOutput" to "plan" or "menu"',
    );
    expect(resolve({ strategy: 'react' }).strategy).toBe('react'); // the embedded model's default form is menu
  });
});
