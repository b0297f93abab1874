import { describe, expect, it } from 'vitest';
import { extractFunction, fencedBlocks } from './extract-code.js';

const REWRITE = `void saxpy(int n, float a, const float *x, float *y)
{
    #pragma omp parallel for
    for (int i = 0; i < n; i++)
        y[i] = a * x[i] + y[i];
}`;

describe('extractFunction', () => {
  it('takes the function and its #include lines from a ```c block, without the prose', () => {
    const answer = `Here is the parallel version:\n\n\`\`\`c\n#include <omp.h>\n\n${REWRITE}\n\`\`\`\n\nThe loop iterations are independent.`;
    expect(extractFunction(answer, 'saxpy')).toEqual({ code: `#include <omp.h>\n\n${REWRITE}\n` });
  });

  it('takes the last complete definition when the answer repeats the original first', () => {
    const original = 'void saxpy(int n, float a, const float *x, float *y)\n{\n    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];\n}';
    const answer = `Original:\n\`\`\`c\n${original}\n\`\`\`\nParallel:\n\`\`\`cpp\n${REWRITE}\n\`\`\`\n`;
    expect(extractFunction(answer, 'saxpy').code).toBe(`${REWRITE}\n`);
  });

  it('drops prototypes, helpers and main() around the definition', () => {
    const answer = `\`\`\`c\nvoid saxpy(int n, float a, const float *x, float *y);\nstatic int helper(int v) { return v; }\n${REWRITE}\nint main(void) { saxpy(0, 0, 0, 0); return 0; }\n\`\`\``;
    expect(extractFunction(answer, 'saxpy').code).toBe(`${REWRITE}\n`);
  });

  it('is not fooled by braces in comments, strings and character literals', () => {
    const fn = 'void f(char *s)\n{\n    /* } */ // }\n    const char *t = "}{";\n    char c = \'}\';\n    s[0] = c; (void)t;\n}';
    expect(extractFunction(`\`\`\`c\n${fn}\n\`\`\``, 'f').code).toBe(`${fn}\n`);
  });

  it('does not match a longer name that starts with the kernel name', () => {
    const answer = '```c\nvoid saxpy_helper(int n) { (void)n; }\n```';
    expect(extractFunction(answer, 'saxpy')).toEqual({ code: null, reason: expect.stringMatching(/no definition of a function named saxpy/) });
  });

  it('accepts an untagged fence', () => {
    expect(extractFunction(`\`\`\`\n${REWRITE}\n\`\`\``, 'saxpy').code).toBe(`${REWRITE}\n`);
  });

  it('accepts an unclosed final fence when the function in it is complete', () => {
    expect(extractFunction(`Sure:\n\`\`\`c\n${REWRITE}\n`, 'saxpy').code).toBe(`${REWRITE}\n`);
  });

  it('gives no code for an answer cut off inside the function', () => {
    const r = extractFunction(`\`\`\`c\n${REWRITE.slice(0, 80)}`, 'saxpy');
    expect(r).toEqual({ code: null, reason: expect.stringMatching(/incomplete/) });
  });

  it('gives no code for a prose-only answer', () => {
    const r = extractFunction('You could add #pragma omp parallel for before the loop in saxpy() { ... }.', 'saxpy');
    expect(r).toEqual({ code: null, reason: 'the answer has no fenced code block' });
  });

  it('ignores blocks in other languages', () => {
    const r = extractFunction('```python\ndef saxpy(n): pass\n```\n```bash\ngcc -fopenmp x.c\n```', 'saxpy');
    expect(r).toEqual({ code: null, reason: 'no C code block in the answer (fenced blocks are: python, bash)' });
  });
});

describe('fencedBlocks', () => {
  it('needs a closing fence at least as long as the opening one', () => {
    const blocks = fencedBlocks('````c\nint x;\n```\nint y;\n````\n');
    expect(blocks).toEqual([{ lang: 'c', body: 'int x;\n```\nint y;', closed: true }]);
  });
});
