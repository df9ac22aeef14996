/**
 * The skipped-slot warning: at most one a minute, counting what it stands
 * for, and naming the cause (a saturated daemon or slow targets).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../log.js';
import type { Target } from '../targets/target.js';
import { SkipWarning, type ScrapeLoad } from './skip-warning.js';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, stream };
}

const target = (n: number): Target => ({ key: `k${n}`, url: `http://127.0.0.1:1/t/${n}/debug/pprof/heap` }) as unknown as Target;

describe('skipped-slot warning', () => {
  it('warns once a minute with the count since the last warning, naming a saturated daemon as the cause', () => {
    const { lines, stream } = capture();
    const load: ScrapeLoad = { active: 16, pending: 40, limit: 16 };
    const w = new SkipWarning(createLogger('info', stream), () => load);
    w.note(target(1), 0);
    for (let i = 0; i < 99; i++) w.note(target(i % 10), 1_000 + i);
    w.note(target(3), 61_000);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.skipped, 1);
    assert.equal(lines[1]!.skipped, 100, 'the 99 in between and this one');
    assert.equal(lines[1]!.targets, 10);
    assert.equal(lines[1]!.cause, 'saturated');
    assert.equal(lines[1]!.scrapesWaiting, 40);
    assert.match(String(lines[1]!.msg), /cannot keep up/);
  });

  it('names slow targets when scrape slots are free', () => {
    const { lines, stream } = capture();
    const w = new SkipWarning(createLogger('info', stream), () => ({ active: 1, pending: 0, limit: 16 }));
    w.note(target(1), 0);
    assert.equal(lines[0]!.cause, 'slow_targets');
    assert.match(String(lines[0]!.msg), /longer to answer than their scrape interval/);
  });
});
