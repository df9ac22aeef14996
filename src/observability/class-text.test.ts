import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLASS_IDS, LEAK_CLASSES } from '../detect/classes.js';
import { CLASS_TEXTS, classTexts, promString, withClassColumns } from './class-text.js';

const row = { id: 'idle-connections' as const, title: 'T', severity: 'warning' as const, remediation: 'Close them.', docUrl: 'https://example.invalid/guide#idle' };

describe('class text for rules and dashboards', () => {
  it('has one entry per class id, taken from the first row of that class', () => {
    assert.deepEqual(CLASS_TEXTS.map((c) => c.id), CLASS_IDS);
    for (const c of CLASS_TEXTS) {
      const first = LEAK_CLASSES.find((r) => r.id === c.id);
      if (first) assert.equal(c.remediation, first.remediation);
    }
  });

  it('rejects rows of one class that disagree on what users see', () => {
    assert.throws(() => classTexts([row, { ...row, docUrl: 'https://example.invalid/guide#other' }], ['idle-connections']), /idle-connections: rows disagree on docUrl/);
  });

  it('rejects a class without a row', () => {
    assert.throws(() => classTexts([row], ['idle-connections', 'duplicate-clients']), /duplicate-clients has no row/);
  });

  it('rejects text that Go templates or Grafana would interpret', () => {
    assert.throws(() => classTexts([{ ...row, remediation: 'Set {{ .Limit }}.' }], ['idle-connections']), /template syntax/);
    assert.throws(() => classTexts([{ ...row, remediation: 'Costs $5.' }], ['idle-connections']), /template syntax/);
  });

  it('quotes PromQL strings and adds a guide and a remediation label per class', () => {
    assert.equal(promString('a "b" \\ c'), '"a \\"b\\" \\\\ c"');
    const expr = withClassColumns('up');
    assert.equal(expr.match(/label_replace\(/g)?.length, 2 * CLASS_IDS.length);
    for (const c of CLASS_TEXTS) {
      assert.ok(expr.includes(`"guide", ${promString(c.docUrl)}, "class", "${c.id}"`), c.id);
      assert.ok(expr.includes(`"remediation", ${promString(c.remediation)}, "class", "${c.id}"`), c.id);
    }
  });
});
