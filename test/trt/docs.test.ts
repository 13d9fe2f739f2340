/** docs/simulator.md documents every rule: its id, summary and source as in the rule data. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSIONS } from '../../src/trt/build-options.ts';
import { PROPAGATION_TABLE } from '../../src/trt/op-table.ts';
import { allRules } from '../../src/trt/rules/index.ts';

const doc = readFileSync(join(import.meta.dirname, '../../docs/simulator.md'), 'utf8');
const cell = (s: string) => s.replace(/\|/g, '\\|');

describe('docs/simulator.md rule table', () => {
  it('has one row per rule with the same summary and source', () => {
    for (const { pass, rule } of allRules(VERSIONS['8.x'])) {
      expect(doc).toContain(`| ${pass.id} | \`${rule.id}\` | ${cell(rule.summary)} | ${cell(rule.source)} |`);
    }
  });

  it('lists the propagation table', () => {
    for (const e of PROPAGATION_TABLE) expect(doc).toContain(`| ${e.op} | ${e.dqForward ? 'yes' : 'no'} | ${e.qBackward ? 'yes' : 'no'} |`);
  });
});
