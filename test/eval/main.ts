/** `npm run eval`: the corpus evaluation tables (heap corpus, then goroutine corpus). */
import { DEFAULT_DETECT_PARAMS } from '../../src/detect/params.js';
import { evaluateCorpus, renderScore } from './corpus.js';
import { evaluateGoroutineCorpus, renderGoroutineScore } from './goroutine.js';

process.stdout.write(`${renderScore(evaluateCorpus(DEFAULT_DETECT_PARAMS))}\n\n`);
process.stdout.write(`${renderGoroutineScore(evaluateGoroutineCorpus(DEFAULT_DETECT_PARAMS))}\n`);
