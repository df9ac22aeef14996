/**
 * The holder of a held-object leak. A Kitex field or Sonic leak is found at
 * the frames that allocated the object (the decoder), never at the code that
 * keeps it: a heap profile records who allocated, not who points. When the
 * code keeps each object in a sync.Map, the map's own nodes grow with the
 * leak, allocated under the keeping function (`sync.(*Map).Store` ->
 * `internal/sync.newEntryNode`, Go 1.24 and later; `sync.newEntry` before),
 * and that growth names the holder. Judged alone it is a second,
 * unclassified leak, reported hours after the first with a class that says
 * nothing of the cause. Folded into the leak's finding, it says where to look.
 *
 * Only growth allocated by a container's own insert, in objects of a
 * container's bookkeeping size, is folded: the entries of a concurrent map
 * say "something is kept here per object". Growth a function allocates
 * itself (a log that keeps its own records, in a plain map or a sync.Map)
 * stays a leak of its own, even beside a field leak (leak-kitex-two-leaks).
 * A plain map's or slice's growth shows no such frames (runtime/pprof hides
 * runtime.mapassign and runtime.growslice at the leaf), so its holder is not
 * told from its own leak, and stays one. Pure.
 */
import type { LeakClassId } from './classes.js';
import type { Detection } from './detection.js';
import { formatRate } from './format.js';

/** Classes whose leaked objects are kept by the service's own code, somewhere the profile does not show. */
const HELD_OBJECT_CLASSES: ReadonlySet<LeakClassId> = new Set(['server-request-field-held', 'client-response-field-held', 'sonic-string-pinning']);

/** Frames of a concurrent map's insert: sync.Map (and its Go 1.24 HashTrieMap). */
const CONTAINER_INSERT = /^(?:sync\.\(\*Map\)\.|sync\.newEntry$|internal\/sync\.)/;

/** What a held-object leak's finding says of its holder. */
export interface Holder {
  function: string;
  /** The container frame that allocated its growth. */
  via: string;
  bytesPerHour: number;
}

/**
 * The detections with each holder's growth folded into the held-object leak
 * that grows fastest (its holder: `evidence.holder`, and its summary says so).
 * A holder detected while that leak is not, but its finding is open (`open`:
 * the open findings' classes), is left out: it is that leak's, and the
 * finding keeps the holder it named. Unchanged without a held-object leak.
 */
export function foldHolders(detections: Detection[], open: ReadonlySet<LeakClassId> = new Set()): Detection[] {
  const holders = detections.filter((d) => holderOf(d) !== undefined);
  if (holders.length === 0) return detections;
  const held = detections.filter((d) => HELD_OBJECT_CLASSES.has(d.classId));
  if (held.length === 0) return [...HELD_OBJECT_CLASSES].some((c) => open.has(c)) ? detections.filter((d) => !holders.includes(d)) : detections;
  const lead = held.reduce((a, b) => (b.bytesPerHour > a.bytesPerHour ? b : a));
  const holder = holders.reduce((a, b) => (b.bytesPerHour > a.bytesPerHour ? b : a));
  const named = withHolder(lead, { function: holder.function, via: holderOf(holder)!, bytesPerHour: holder.bytesPerHour });
  return detections.filter((d) => !holders.includes(d)).map((d) => (d === lead ? named : d));
}

/**
 * The container frame when `d` is growth at an unclassified site that a
 * container's insert allocated under (a leak, or filling), in objects the
 * size of a container's bookkeeping: its nodes, and the boxed key and value
 * headers it stores. A site that keeps records of its own in a sync.Map
 * grows in the records' size, and stays a leak of its own.
 */
function holderOf(d: Detection): string | undefined {
  const unclassified = d.classId === 'unclassified-growth' || (d.classId === 'cache-filling' && d.evidence.escalatesTo === 'unclassified-growth');
  const bookkeeping = d.evidence.meanObjectBytes !== undefined && d.evidence.meanObjectBytes <= BOOKKEEPING_BYTES;
  return unclassified && bookkeeping ? d.evidence.storedBy : undefined;
}

/**
 * The largest mean object of a container's own growth: sync.Map's entry and
 * trie nodes and boxed headers are 16-160 B (the Inventory server's Lookup
 * grows in 41 B on average); a record kept for itself is larger.
 */
const BOOKKEEPING_BYTES = 256;

/** The container insert frame between a stack's leaf and its owner, if any (frames leaf first). */
export function containerInsert(frames: readonly string[], owner: string): string | undefined {
  const at = frames.indexOf(owner);
  for (let i = 0; i < at; i++) if (CONTAINER_INSERT.test(frames[i]!)) return frames[i];
  return undefined;
}

export function withHolder(d: Detection, holder: Holder): Detection {
  return {
    ...d,
    summary: `${d.summary}; kept in ${holder.function} (its sync.Map grows ${formatRate(holder.bytesPerHour)})`,
    evidence: { ...d.evidence, holder },
  };
}
