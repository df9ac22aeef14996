/**
 * `npm run eval`: the corpus evaluation tables (heap corpus, then goroutine
 * corpus). `npm run eval -- --degraded`: also the heap corpus replayed with
 * scrapes lost (degrade.ts), as summaries.
 *
 * `--corpus DIR` and `--goroutine-corpus DIR` score series of your own, laid
 * out as test/fixtures/corpus is (a folder per series with manifest.json and
 * profiles/), in place of the shipped ones; given only one of them, only its
 * table is printed. Detection is meant to hold on series it was never tuned
 * on, and this is how to measure it there. `--warmup DURATION` scores them
 * with that warm-up, as a target may set it for itself (README: Per-target
 * detection settings): the trade-off between paging sooner and quiet caches,
 * measured on one's own series.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/config/units.js';
import { DEFAULT_DETECT_PARAMS, type DetectParams } from '../../src/detect/params.js';
import { CORPUS, evaluateCorpus, renderDegraded, renderScore } from './corpus.js';
import { DEGRADATIONS, type Degradation } from './degrade.js';
import { GOROUTINE_CORPUS, evaluateGoroutineCorpus, renderGoroutineScore } from './goroutine.js';

const USAGE = 'usage: npm run eval -- [--corpus DIR] [--goroutine-corpus DIR] [--degraded] [--warmup DURATION]';

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: { corpus: { type: 'string' }, 'goroutine-corpus': { type: 'string' }, degraded: { type: 'boolean' }, warmup: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${USAGE}`);
  }
  let params: DetectParams = DEFAULT_DETECT_PARAMS;
  if (values.warmup !== undefined) {
    const warmupMs = parseDuration(values.warmup);
    if (warmupMs === undefined || warmupMs < 0) throw new Error(`--warmup: expected a duration like "0s", "15m" or "1h", got "${values.warmup}"\n${USAGE}`);
    params = { ...DEFAULT_DETECT_PARAMS, warmupMs };
  }
  const own = values.corpus !== undefined || values['goroutine-corpus'] !== undefined;
  if (values.degraded && own && values.corpus === undefined) throw new Error(`--degraded replays a heap corpus: give --corpus DIR with it\n${USAGE}`);
  const heap = values.corpus ?? (own ? undefined : CORPUS);
  const goroutine = values['goroutine-corpus'] ?? (own ? undefined : GOROUTINE_CORPUS);
  if (heap !== undefined) process.stdout.write(`${renderScore(evaluateCorpus(params, heap))}\n\n`);
  if (goroutine !== undefined) process.stdout.write(`${renderGoroutineScore(evaluateGoroutineCorpus(params, goroutine))}\n`);
  if (values.degraded && heap !== undefined) {
    for (const d of Object.keys(DEGRADATIONS) as Degradation[]) {
      process.stdout.write(`\n${renderDegraded(d, evaluateCorpus(params, heap, d))}\n`);
    }
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`eval: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
