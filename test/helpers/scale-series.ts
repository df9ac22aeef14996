/**
 * Recorded heap-profile series of production size, for the scale benchmark
 * and the memory test: test/fixtures/profiles/scale/<program>/NNN.pb.gz, written
 * by test/fixtures/gen-scale-profiles.sh from test/fixtures/go/bigservice (a
 * real gRPC gateway, and a Kubernetes controller on client-go, both with
 * large dependency trees). Small targets replay the Kitex corpus.
 */
import { join } from 'node:path';
import { fleetSeries } from './fleet.js';
import { FIXTURES } from './paths.js';
import { loadSeries } from './profile-server.js';

export type ProfileSize = 'small' | 'medium' | 'large';
export interface Series {
  name: string;
  profiles: Buffer[];
}

/** Which recorded program stands for each size (gzipped size of its profiles). */
export const SCALE_PROGRAMS = { medium: 'gateway', large: 'controller' } as const;
export const SCALE_DIR = join(FIXTURES, 'profiles', 'scale');

const cache = new Map<string, Series>();

/** The recorded series of one size; throws when the fixtures are missing (regenerate with the script). */
export function seriesOfSize(size: ProfileSize, n = 0): Series {
  if (size === 'small') {
    const corpus = fleetSeries();
    return corpus[n % corpus.length]!;
  }
  const program = SCALE_PROGRAMS[size];
  let s = cache.get(program);
  if (!s) {
    const profiles = loadSeries(join(SCALE_DIR, program));
    if (profiles.length === 0) throw new Error(`no recorded ${program} profiles in ${SCALE_DIR}: run test/fixtures/gen-scale-profiles.sh`);
    s = { name: `bigservice-${program}`, profiles };
    cache.set(program, s);
  }
  return s;
}

/**
 * Target n's size under a mix given in tenths, e.g. [2, 5, 3] = 20 % small,
 * 50 % medium, 30 % large: n mod 10 picks the bucket, so any 10 consecutive
 * targets have exactly the mix.
 */
export function sizeOf(n: number, tenths: readonly [number, number, number]): ProfileSize {
  const [small, medium] = tenths;
  const r = n % 10;
  return r < small ? 'small' : r < small + medium ? 'medium' : 'large';
}

/** A `seriesOf` for startFleet with the given mix. */
export function mixedSeries(tenths: readonly [number, number, number]): (n: number) => Series {
  if (tenths[0] + tenths[1] + tenths[2] !== 10) throw new Error('the mix must add up to 10 tenths');
  return (n) => seriesOfSize(sizeOf(n, tenths), n);
}
