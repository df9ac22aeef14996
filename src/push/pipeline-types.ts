/**
 * The parts of the pipeline contract (src/pipeline/source.ts) the push
 * source uses, in one import.
 */
export type { ArrivalOutcome, ProfileKind, ProfileOrigin, ProfileSink, ProfileSource } from '../pipeline/source.js';
