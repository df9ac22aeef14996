/**
 * `npm run eval`: the corpus evaluation tables (heap corpus, then goroutine
 * corpus). `npm run eval -- --degraded`: also the heap corpus replayed with
 * scrapes lost (degrade.ts), as summaries.
 */
import { DEFAULT_DETECT_PARAMS } from '../../src/detect/params.js';
import { evaluateCorpus, renderDegraded, renderScore } from './corpus.js';
import { DEGRADATIONS, type Degradation } from './degrade.js';
import { evaluateGoroutineCorpus, renderGoroutineScore } from './goroutine.js';

process.stdout.write(`${renderScore(evaluateCorpus(DEFAULT_DETECT_PARAMS))}\n\n`);
process.stdout.write(`${renderGoroutineScore(evaluateGoroutineCorpus(DEFAULT_DETECT_PARAMS))}\n`);
if (process.argv.includes('--degraded')) {
  for (const d of Object.keys(DEGRADATIONS) as Degradation[]) {
    process.stdout.write(`\n${renderDegraded(d, evaluateCorpus(DEFAULT_DETECT_PARAMS, undefined, d))}\n`);
  }
}
