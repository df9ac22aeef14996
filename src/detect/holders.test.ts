import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Detection } from './detection.js';
import { FindingTracker } from './findings.js';
import { containerInsert, foldHolders } from './holders.js';

const MIN = 60_000;
const FIELD = 'kitex_gen/inventory.(*StockQuery).FastReadField3';
const LOOKUP = 'main.(*handler).Lookup';

function detection(classId: Detection['classId'], fn: string, mbPerHour: number, storedBy?: string): Detection {
  return {
    key: `${classId}|${fn}`,
    classId,
    severity: 'warning',
    title: 't',
    function: fn,
    headline: 'h',
    stack: [fn],
    growthBytes: 1,
    bytesPerHour: mbPerHour * 1e6,
    summary: `${fn} grows`,
    remediation: 'r',
    docUrl: 'u',
    evidence: { versions: {}, matchedFrames: [], stacks: 1, storedBy, meanObjectBytes: storedBy ? 41 : 1500 },
  };
}

const field = detection('server-request-field-held', FIELD, 5.6);
const mapNodes = detection('unclassified-growth', LOOKUP, 1.8, 'internal/sync.newEntryNode');

describe('holders', () => {
  it("finds a sync.Map's insert between a stack's leaf and its owner, not above the owner", () => {
    const frames = ['internal/sync.newEntryNode', 'internal/sync.(*HashTrieMap).Swap', 'sync.(*Map).Store', LOOKUP, 'main.main'];
    assert.equal(containerInsert(frames, LOOKUP), 'internal/sync.newEntryNode');
    assert.equal(containerInsert(['sync.newEntry', 'sync.(*Map).Store', LOOKUP], LOOKUP), 'sync.newEntry');
    // Its own allocation, called from code that stores elsewhere: no holder.
    assert.equal(containerInsert([LOOKUP, 'sync.(*Map).Range', 'main.main'], LOOKUP), undefined);
    assert.equal(containerInsert(['main.(*auditLog).record', 'main.main'], 'main.(*auditLog).record'), undefined);
  });

  it("folds a sync.Map's growth beside a field leak into the leak's finding, naming the holder", () => {
    const out = foldHolders([mapNodes, field]);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.key, field.key);
    assert.deepEqual(out[0]!.evidence.holder, { function: LOOKUP, via: 'internal/sync.newEntryNode', bytesPerHour: 1.8e6 });
    assert.equal(out[0]!.summary, `${FIELD} grows; kept in ${LOOKUP} (its sync.Map grows 1.8 MB/h)`);
  });

  it('leaves growth a function allocates itself beside a field leak as a leak of its own, in a sync.Map or not', () => {
    const audit = detection('unclassified-growth', 'main.(*auditLog).record', 7);
    assert.deepEqual(foldHolders([audit, field]), [audit, field]);
    // Records of ~1.5 KiB kept in a sync.Map: its nodes grow too, but the site grows in records.
    const records = { ...audit, evidence: { ...audit.evidence, storedBy: 'internal/sync.newEntryNode', meanObjectBytes: 1500 } };
    assert.deepEqual(foldHolders([records, field]), [records, field]);
  });

  it("keeps a sync.Map's growth as a leak when no held-object leak grows; drops it while one's finding is open", () => {
    assert.deepEqual(foldHolders([mapNodes]), [mapNodes]);
    assert.deepEqual(foldHolders([mapNodes], new Set(['unclassified-growth'])), [mapNodes]);
    assert.deepEqual(foldHolders([mapNodes], new Set(['server-request-field-held'])), []);
  });

  it('the finding keeps its holder once named, through evaluations that do not see the holder grow', () => {
    const t = new FindingTracker({ forMs: 10 * MIN, resolveAfterMs: 30 * MIN });
    for (let m = 0; m <= 12; m++) t.update('e1', m * MIN, foldHolders([field, mapNodes]));
    for (let m = 13; m <= 20; m++) t.update('e1', m * MIN, foldHolders([field]));
    const [open] = t.open();
    assert.equal(open?.evidence.holder?.function, LOOKUP);
    assert.match(open.summary, /; kept in main\.\(\*handler\)\.Lookup/);
  });
});
