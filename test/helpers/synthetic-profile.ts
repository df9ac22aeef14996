/**
 * Hand-built pprof profiles for unit tests of decoder edge cases that real Go
 * programs do not produce on demand (values past 2^28, negative delta values,
 * exact inline and recursion shapes). Real profiles are in test/fixtures.
 */
import { gzipSync } from 'node:zlib';
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';

export interface SyntheticSample {
  /** Each location is a list of function names, innermost (inlined) first; locations leaf first. */
  stack: string[][];
  values: (number | bigint)[];
}

export function syntheticHeapProfile(samples: SyntheticSample[], opts: { timeNanos?: bigint; filenames?: Record<string, string>; sampleTypes?: string[] } = {}): Uint8Array {
  const st = new StringTable();
  const fnIds = new Map<string, number>();
  const functions: PFunction[] = [];
  const locations: Location[] = [];
  const fnId = (name: string): number => {
    let id = fnIds.get(name);
    if (id === undefined) {
      id = functions.length + 1;
      fnIds.set(name, id);
      functions.push(new PFunction({ id, name: st.dedup(name), systemName: st.dedup(name), filename: st.dedup(opts.filenames?.[name] ?? 'main.go') }));
    }
    return id;
  };
  const pSamples = samples.map((s) => {
    const locIds = s.stack.map((frames) => {
      const id = locations.length + 1;
      locations.push(new Location({ id, line: frames.map((f) => new Line({ functionId: fnId(f), line: 1 })) }));
      return id;
    });
    return new Sample({ locationId: locIds, value: s.values });
  });
  const profile = new Profile({
    sampleType: (opts.sampleTypes ?? ['alloc_objects:count', 'alloc_space:bytes', 'inuse_objects:count', 'inuse_space:bytes']).map((t) => {
      const [type, unit] = t.split(':');
      return new ValueType({ type: st.dedup(type!), unit: st.dedup(unit!) });
    }),
    sample: pSamples,
    location: locations,
    function: functions,
    stringTable: st,
    timeNanos: opts.timeNanos ?? 1_767_225_600_000_000_000n,
    periodType: new ValueType({ type: st.dedup('space'), unit: st.dedup('bytes') }),
    period: 524288,
  });
  return gzipSync(profile.encode());
}
