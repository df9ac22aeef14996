/** `npm run eval`: the corpus evaluation table. */
import { DEFAULT_DETECT_PARAMS } from '../../src/detect/params.js';
import { evaluateCorpus, renderScore } from './corpus.js';

process.stdout.write(`${renderScore(evaluateCorpus(DEFAULT_DETECT_PARAMS))}\n`);
