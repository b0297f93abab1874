// The strategies' templates are in the cache key through their versions. If a pin here
// fails you changed a template's wording: bump its *_TEMPLATE_VERSION and update the pin.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { splitAnswerSection } from './turns.js';
import { chainOfThoughtTurns, COT_TEMPLATE_VERSION } from './chain-of-thought.js';
import { stepByStepTurns, STEP_TEMPLATE_VERSION } from './step-by-step.js';
import { fewShotUser, FEW_SHOT_TEMPLATE_VERSION } from './few-shot.js';
import { refineUser, TOT_TEMPLATE_VERSION } from './tree-of-thoughts.js';
import { reactFirstUser, reactObservationUser, REACT_TEMPLATE_VERSION } from './react.js';

const prompt = splitAnswerSection({ system: 'S', user: 'Task text.\n\n## Your answer\nOne JSON object.' });
const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

describe('strategy templates', () => {
  it('split a prompt at its answer section, and refuse one without', () => {
    expect(prompt).toEqual({ system: 'S', task: 'Task text.', answer: '## Your answer\nOne JSON object.' });
    expect(() => splitAnswerSection({ system: 'S', user: 'no answer section' })).toThrow(/no "## Your answer" section/);
  });

  it('are pinned to their versions', () => {
    const cot = chainOfThoughtTurns(prompt);
    const step = stepByStepTurns(prompt);
    const few = fewShotUser(prompt, [{ original: 'void f(void) {}', parallel: 'void f(void) { }', note: 'n' }]);
    const tot = refineUser(prompt, [{ which: 'this', observation: 'a' }, { which: 'other', observation: 'b' }]);
    const react = reactFirstUser(prompt, 'plan', ['L1']) + reactFirstUser(prompt, 'menu', ['L1']) + reactObservationUser('o', 2);
    expect({
      [COT_TEMPLATE_VERSION]: hash(cot.first + cot.second),
      [STEP_TEMPLATE_VERSION]: hash(step.first + step.second),
      [FEW_SHOT_TEMPLATE_VERSION]: hash(few),
      [TOT_TEMPLATE_VERSION]: hash(tot),
      [REACT_TEMPLATE_VERSION]: hash(react),
    }).toMatchInlineSnapshot(`
      {
        "chain-of-thought/1": "4265d67ad1bb",
        "few-shot/1": "276d26059760",
        "react/1": "4010151ce101",
        "step-by-step/1": "27c7c0b15bc6",
        "tree-of-thoughts/1": "d40dc15509b1",
      }
    `);
  });

  it('few-shot without examples is the task and the answer section alone', () => {
    expect(fewShotUser(prompt, [])).toBe('Task text.\n\n## Your answer\nOne JSON object.');
  });
});
