// The executor's schema.json repeats the core defaults so `nx show project` can
// show them; this keeps the two from drifting apart.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TARGET_OPTIONS } from '../../core/src/pipeline/options.js';

const schema = JSON.parse(readFileSync(join(__dirname, 'executors/build/schema.json'), 'utf8'));

describe('build executor schema', () => {
  it('declares every default the pipeline uses, with the same value', () => {
    for (const [name, value] of Object.entries(DEFAULT_TARGET_OPTIONS)) {
      expect(schema.properties[name], `schema.json lacks ${name}`).toBeDefined();
      expect(schema.properties[name].default, `default of ${name}`).toEqual(value);
    }
  });
  it('describes every option', () => {
    for (const [name, prop] of Object.entries(schema.properties as Record<string, { description?: string }>)) {
      expect(prop.description, `${name} has no description`).toBeTruthy();
    }
  });
});
