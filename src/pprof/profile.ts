/**
 * The decoded, normalised form of one heap profile. It is plain data (no
 * classes, no bigints) so that it crosses the worker-thread boundary by
 * structured clone and can be written to SQLite as is.
 */
import type { ModuleVersion } from './names.js';

export interface SampleType {
  type: string;
  unit: string;
}

export interface ProfileFunction {
  /** Normalised name (generic type parameters dropped). Unique in a profile. */
  name: string;
  filename: string;
}

export interface ProfileStack {
  /** Function indexes, leaf (allocation site) first, inlined frames expanded. */
  frames: number[];
  /** One value per sample type, summed over every sample with this stack. */
  values: number[];
}

export interface HeapProfile {
  /** Profile time (ms since the epoch); 0 when the profile carries none. */
  timeMs: number;
  durationNanos: number;
  period: number;
  sampleTypes: SampleType[];
  functions: ProfileFunction[];
  stacks: ProfileStack[];
  /** Build id of the main binary's mapping (the first mapping), '' when absent. */
  buildId: string;
  modules: ModuleVersion[];
  /** Sum of each sample type over all samples. */
  totals: number[];
}

export const HEAP_SAMPLE_INDEXES = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'] as const;
export type HeapSampleIndex = (typeof HEAP_SAMPLE_INDEXES)[number];

