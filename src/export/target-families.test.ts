import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeLabelValue, formatValue, TargetFamily } from './target-families.js';

const lines = (f: TargetFamily<string>): string[] => f.render().split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('TargetFamily', () => {
  it('renders HELP and TYPE once, even with no series', () => {
    const f = new TargetFamily('x_bytes', 'Help with a \\ backslash\nand a newline.', 'gauge', ['target']);
    assert.equal(f.render(), '# HELP x_bytes Help with a \\\\ backslash\\nand a newline.\n# TYPE x_bytes gauge\n');
  });

  it('keeps label order, escapes label values and re-renders only after a change', () => {
    const f = new TargetFamily('x_bytes', 'h', 'gauge', ['target', 'service', 'function']);
    f.set({ function: 'main.(*T).F', service: 'a"b\\c\nd', target: 't1' }, 5);
    f.set({ target: 't2', service: '', function: 'g' }, 1.5);
    assert.deepEqual(lines(f), ['x_bytes{target="t1",service="a\\"b\\\\c\\nd",function="main.(*T).F"} 5', 'x_bytes{target="t2",service="",function="g"} 1.5']);
    // The cached block of t1 must not survive a change to it.
    f.set({ target: 't1', service: 'a"b\\c\nd', function: 'main.(*T).F' }, 7);
    assert.match(lines(f)[0]!, /\} 7$/);
    assert.equal(f.size, 2);
  });

  it('counts with inc and forgets series and targets', () => {
    const f = new TargetFamily('x_total', 'h', 'counter', ['target', 'code']);
    f.inc({ target: 't1', code: 'A' });
    f.inc({ target: 't1', code: 'A' }, 2);
    f.inc({ target: 't1', code: 'B' });
    f.inc({ target: 't2', code: 'A' });
    assert.deepEqual(lines(f), ['x_total{target="t1",code="A"} 3', 'x_total{target="t1",code="B"} 1', 'x_total{target="t2",code="A"} 1']);
    f.remove({ target: 't1', code: 'A' });
    f.remove({ target: 't1', code: 'missing' });
    f.removeTarget('t2');
    assert.deepEqual(lines(f), ['x_total{target="t1",code="B"} 1']);
    f.remove({ target: 't1', code: 'B' });
    assert.equal(f.size, 0);
  });

  it('refuses a family without a target label', () => {
    assert.throws(() => new TargetFamily('x', 'h', 'gauge', ['service']), /need a target label/);
  });

  it('formats values as the text format reads them', () => {
    assert.deepEqual([NaN, Infinity, -Infinity, 0, -2.5, 1e21, 123456789012].map(formatValue), ['NaN', '+Inf', '-Inf', '0', '-2.5', '1e+21', '123456789012']);
    assert.equal(escapeLabelValue('plain'), 'plain');
  });
});
