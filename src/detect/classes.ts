/**
 * The leak classes of the CloudWeGo Kitex "Memory Leak Self-Check Guide", as
 * data. One generic engine (classify.ts) evaluates them: adding a class is a
 * new row and a test case, not new control flow.
 *
 * Frame regexes are anchored on full Go function names (Kitex has its own
 * package named `netpoll`, so a short name is ambiguous). They were checked
 * against real profiles of Kitex v0.3.2/v0.3.3 and v0.16.3 services in
 * test/fixtures/corpus; where those disagree with the reference catalogue
 * (leak-signatures.md), the profiles win and the regex says so.
 */

import type { TrendMode } from './trend.js';

export type LeakClassId =
  | 'netpoll-barrier-leak'
  | 'server-request-field-held'
  | 'client-response-field-held'
  | 'sonic-string-pinning'
  | 'idle-connections'
  | 'oversized-requests'
  | 'duplicate-clients'
  | 'unclassified-growth'
  | 'filling-cache';

export type Severity = 'info' | 'warning' | 'critical';

/** Classes of warning/critical findings (the dashboards' and alerts' contract); `filling-cache` is info only. */
export const CLASS_IDS: readonly LeakClassId[] = [
  'netpoll-barrier-leak',
  'server-request-field-held',
  'client-response-field-held',
  'sonic-string-pinning',
  'idle-connections',
  'oversized-requests',
  'duplicate-clients',
  'unclassified-growth',
];

export interface VersionCondition {
  module: string;
  /** The class applies below this version (exclusive). */
  below?: string;
  /** The class applies from this version on. */
  atLeast?: string;
  /** Whether the class applies when the profile carries no version for the module. */
  whenUnknown: boolean;
}

export interface StackCondition {
  /** Every pattern must match some frame. */
  all?: RegExp[];
  /** At least one pattern must match some frame. */
  any?: RegExp[];
  /** No frame may match any of these. */
  none?: RegExp[];
}

/** What a class knows about a matched stack, for its text. */
export interface MatchFacts {
  function: string;
  struct?: string;
  fieldId?: number;
  module?: string;
  version?: string;
}

export interface LeakClass {
  id: LeakClassId;
  title: string;
  severity: Exclude<Severity, 'info'>;
  /** One of these stack shapes must match (alternatives, e.g. request and response symptoms). */
  stacks: StackCondition[];
  /** The frame reported as the finding's function: the first frame from the leaf that matches. */
  keyFrame?: RegExp;
  versions?: VersionCondition;
  /** Bounds on the mean object size (inuse bytes / inuse objects) of the growth. */
  meanObjectBytes?: { min?: number; max?: number };
  /** Some function seen in this process (any sample type) must match one of these. */
  processFrames?: RegExp[];
  /** Another growing stack of the same process must match this condition. */
  coGrowing?: StackCondition;
  /** How growth is judged (trend.ts); default `sustained`. */
  trend?: TrendMode;
  summary: (f: MatchFacts) => string;
  remediation: string;
  docUrl: string;
}

const GUIDE = 'https://www.cloudwego.io/docs/kitex/best-practice/self_check/mem_leak_self_check/';

// Module-path prefixes, escaped for regexes.
const NP = 'github\\.com/cloudwego/netpoll';
const KX = 'github\\.com/cloudwego/kitex';
const BG = 'github\\.com/bytedance/gopkg';
const CG = 'github\\.com/cloudwego/gopkg';
const LB = '\\(\\*(?:Unsafe|Safe)?LinkBuffer\\)';

const re = (s: string): RegExp => new RegExp(`^${s}$`);

/** netpoll buffer node allocation (mcache pool leaf, or the > 8 MiB direct path). */
const NODE = re(`${NP}\\.newLinkBufferNode`);
const INPUT_BOOK = [re(`${NP}\\.${LB}\\.book`), re(`${NP}\\.\\(\\*connection\\)\\.inputs`)];
const OUTPUT_GROWTH = [re(`${NP}\\.${LB}\\.(?:growth|Malloc)`), re(`${KX}/pkg/remote/codec/(?:thrift\\.thriftCodec|protobuf\\.protobufCodec)\\.Marshal`)];
const NOCOPY_HANDLER = [
  // Kitex <= v0.4: (*server).invokeHandleEndpoint.func1; v0.16 renders it as
  // (*server).unaryOrStreamEndpoint.(*server).invokeHandleEndpoint.func3.
  re(`${KX}/server\\.\\(\\*server\\)\\.(?:[\\w.()*]+\\.)?invokeHandleEndpoint\\.func\\d+`),
  /\/kitex_gen\/.+\.\w+Handler$/,
];

/** A generated Thrift/Protobuf field decoder: `(*Request).FastReadField2`. Groups: struct, field id. */
const FIELD = /\.\(\*(\w+)\)\.(?:FastReadField|ReadField|fastReadField)(\d+)$/;
const SERVER_SIDE = [
  re(`${KX}/pkg/remote/trans\\.\\(\\*svrTransHandler\\)\\.(?:OnRead|Read)`),
  re(`${KX}/pkg/remote/trans/netpoll\\.\\(\\*transServer\\)\\.onConnRead`),
  re(`${KX}/pkg/remote/trans/(?:nphttp2|ttstream)\\..+`),
];
const CLIENT_SIDE = [
  re(`${KX}/client\\.\\(\\*kClient\\)\\.(?:Call|invokeHandleEndpoint\\.func\\d+)`),
  re(`${KX}/pkg/remote/remotecli\\.\\(\\*client\\)\\.Recv`),
  re(`${KX}/pkg/remote/trans\\.\\(\\*cliTransHandler\\)\\.Read`),
];
const DECODE_ENTRY = re(
  `${KX}/pkg/remote/codec/(?:thrift\\.(?:thriftCodec\\.Unmarshal|thriftCodec\\.unmarshalThriftData|fastUnmarshal|apacheUnmarshal)|protobuf\\.protobufCodec\\.Unmarshal)`,
);
/** Where a string or binary field is copied out of the wire buffer. */
const STRING_LEAF = [
  re(`${KX}/pkg/protocol/bthrift\\.\\(?\\*?binaryProtocol\\)?\\.Read(?:String|Binary)`),
  re(`${CG}/protocol/thrift\\.\\(?\\*?BinaryProtocol\\)?\\.Read(?:String|Binary)`),
  re(`${CG}/protocol/thrift\\.\\(\\*BufferReader\\)\\.Read(?:String|Binary)`),
  re(`${KX}/pkg/remote/codec/thrift\\.\\(\\*BinaryProtocol\\)\\.Read(?:String|Binary)`),
  re(`${NP}\\.${LB}\\.readBinary`),
  re(`${KX}/pkg/mem\\.\\(\\*span\\)\\.Make`),
  re(`${BG}/lang/span\\.\\(\\*span\\)\\.Make`),
  re('github\\.com/cloudwego/fastpb\\.impl\\.Read(?:String|Bytes)'),
];
const SONIC_DECODER = re(
  'github\\.com/bytedance/sonic(?:/internal/decoder(?:/api|/jitdec|/optdec)?|/decoder)?\\.(?:\\(?\\*?frozenConfig\\)?\\.(?:Unmarshal|UnmarshalFromString)|\\(\\*Decoder\\)\\.Decode|Decode|Unmarshal|UnmarshalString)',
);
const CONNECTION_INIT = re(`${NP}\\.\\(\\*connection\\)\\.init`);
const LBCACHE = re(`${KX}/pkg/loadbalance/lbcache\\..+`);
const CLIENT_CREATION = [
  re(`${KX}/client\\.NewClient`),
  re(`${KX}/internal/client\\.NewOptions`),
  re(`${KX}/client\\.\\(\\*kClient\\)\\.init(?:LBCache)?(?:\\..+)?`),
  re(`${KX}/client\\.(?:discoveryEventHandler\\.func\\d+|wrapInstances|snapshotInstances)`),
  LBCACHE,
];
const CLIENT_DIAL = [
  re(`${NP}\\.(?:newTCPConnection|DialTCP|DialConnection|\\(\\*dialer\\)\\.(?:DialConnection|DialTimeout|dialTCP)|\\(\\*sysDialer\\)\\.dialTCP)`),
  re(`${KX}/pkg/remote/connpool\\..+`),
  re(`${KX}/pkg/remote/remotecli\\.NewClient`),
];

const fieldText = (f: MatchFacts): string => (f.struct ? `${f.struct} field ${f.fieldId}` : f.function);

/** Most specific first: the first class whose conditions all hold wins. */
export const LEAK_CLASSES: readonly LeakClass[] = [
  {
    id: 'sonic-string-pinning',
    title: 'Sonic-decoded strings pin a large Request/Response string',
    severity: 'warning',
    stacks: [{ all: [FIELD, DECODE_ENTRY], any: STRING_LEAF }],
    keyFrame: FIELD,
    // The decode site alone cannot tell this from a plain field leak (the
    // catalogue's N1): the evidence is Sonic decoding in the same process. In
    // the real profiles Sonic frames show in alloc_space only.
    processFrames: [SONIC_DECODER],
    summary: (f) => `${fieldText(f)} is kept alive through strings Sonic decoded from it`,
    remediation:
      'Sonic reuses the input string for decoded strings, so caching anything decoded from a large field keeps the whole field alive. Decode with sonic.Config{CopyString: true} (or decoder.OptionCopyString), then find where the decoded objects are kept.',
    docUrl: `${GUIDE}#caching-objects-by-parsing-string-fields-in-requestresponse-using-sonic`,
  },
  {
    id: 'client-response-field-held',
    title: 'Client keeps a field of a decoded Response',
    severity: 'warning',
    stacks: [{ all: [FIELD, DECODE_ENTRY], any: CLIENT_SIDE }],
    keyFrame: FIELD,
    summary: (f) => `client keeps ${fieldText(f)} (Kitex)`,
    remediation:
      'Code that calls this client keeps a reference to a field of the response (even a one-byte sub-slice keeps the whole buffer). Find the field id in the IDL, search for where the response field is stored, and copy what you keep (strings.Clone / bytes.Clone).',
    docUrl: `${GUIDE}#persistent-holding-of-a-field-in-response`,
  },
  {
    id: 'server-request-field-held',
    title: 'Server keeps a field of a decoded Request',
    severity: 'warning',
    stacks: [{ all: [FIELD, DECODE_ENTRY], any: SERVER_SIDE, none: CLIENT_SIDE }],
    keyFrame: FIELD,
    summary: (f) => `server keeps ${fieldText(f)} (Kitex)`,
    remediation:
      'A handler keeps a reference to a field of the request (even a one-byte sub-slice keeps the whole buffer). Look up the field id in the IDL, search the handler code for where it is stored, and copy what you keep (strings.Clone / bytes.Clone).',
    docUrl: `${GUIDE}#holding-onto-a-field-of-request-object-persistently`,
  },
  {
    id: 'netpoll-barrier-leak',
    title: 'netpoll barrier bug (netpoll < v0.2.5, Kitex < v0.3.3)',
    severity: 'critical',
    stacks: [
      { all: [NODE, ...INPUT_BOOK] }, // request symptom
      { all: [NODE, ...OUTPUT_GROWTH] }, // response, serialised
      { all: NOCOPY_HANDLER }, // response, NoCopy: the handler's own allocation
    ],
    keyFrame: re(`${NP}\\.${LB}\\.(?:book|growth|Malloc)|${KX}/server\\..+`),
    versions: { module: 'github.com/cloudwego/netpoll', below: 'v0.2.5', whenUnknown: false },
    summary: (f) => `netpoll ${f.version ?? '< v0.2.5'} keeps stale connection buffers alive (barrier bug)`,
    remediation:
      'netpoll before v0.2.5 keeps references to old connections\' buffers in its poller barriers, so memory grows with peaks of active connections. Upgrade to Kitex >= v0.3.3 (netpoll >= v0.2.5).',
    docUrl: `${GUIDE}#increased-connection-count--large-payload-scenarios`,
  },
  {
    id: 'oversized-requests',
    title: 'Abnormally large requests kept by netpoll buffer pools',
    severity: 'warning',
    stacks: [{ all: [NODE, ...INPUT_BOOK] }, { all: [re(`${NP}\\.${LB}\\.(?:Next|Peek)`), re(`${NP}\\.malloc`)] }],
    keyFrame: re(`${NP}\\.(?:${LB}\\.(?:book|Next|Peek))`),
    versions: { module: 'github.com/cloudwego/netpoll', atLeast: 'v0.2.5', whenUnknown: true },
    meanObjectBytes: { min: 1024 * 1024 },
    // Few, huge objects: inuse moves in 8 MiB steps as buffers are taken
    // from and returned to the pool, so the floor is judged, not the slope.
    trend: 'retained',
    summary: () => 'netpoll pools keep buffers of abnormally large requests',
    remediation:
      'Not a leak in heapwatch\'s sense but a memory risk: netpoll caches buffers sized for abnormally large requests. Find the source of the large requests (packet capture on this service) and have the caller stop sending oversized fields.',
    docUrl: `${GUIDE}#large-request-with-abnormal-size`,
  },
  {
    id: 'duplicate-clients',
    title: 'Kitex clients are created repeatedly (lbcache growth)',
    severity: 'warning',
    stacks: [{ any: CLIENT_CREATION }],
    keyFrame: re(`${KX}/(?:client|internal/client|pkg/loadbalance/lbcache)\\..+`),
    summary: (f) => `Kitex clients are created repeatedly (growth under ${f.function})`,
    remediation:
      'A Kitex client (and its lbcache entry, connection pool and event queue) is meant to be created once and reused. Find the code path that calls NewClient per request and keep one client per destination.',
    docUrl: `${GUIDE}#high-memory-usage-of-lbcache`,
  },
  {
    // Each duplicate client dials its own connections: when client creation
    // is growing too, the client-side connection buffers belong to it.
    id: 'duplicate-clients',
    title: 'Kitex clients are created repeatedly (lbcache growth)',
    severity: 'warning',
    stacks: [
      { all: [CONNECTION_INIT], any: CLIENT_DIAL },
      { any: [re(`${KX}/pkg/remote/remotecli\\.NewClient`)] },
      // Their request buffers: client-side writes on each client's connection.
      { all: [NODE, re(`${NP}\\.${LB}\\.(?:growth|Malloc)`)], any: [re(`${KX}/pkg/remote/trans\\.\\(\\*cliTransHandler\\)\\.Write`), re(`${KX}/pkg/remote/remotecli\\.\\(\\*client\\)\\.Send`)] },
    ],
    coGrowing: { any: CLIENT_CREATION },
    keyFrame: re(`${KX}/pkg/remote/(?:connpool|remotecli)\\..+`),
    summary: (f) => `Kitex clients are created repeatedly, each with its own connections (growth under ${f.function})`,
    remediation:
      'A Kitex client (and its lbcache entry, connection pool and event queue) is meant to be created once and reused. Find the code path that calls NewClient per request and keep one client per destination.',
    docUrl: `${GUIDE}#high-memory-usage-of-lbcache`,
  },
  {
    id: 'idle-connections',
    title: 'Connections pile up (per-connection netpoll buffers)',
    severity: 'warning',
    stacks: [{ all: [CONNECTION_INIT] }],
    keyFrame: CONNECTION_INIT,
    summary: () => 'connections keep being opened and never closed: each holds its initial netpoll buffer',
    remediation:
      'netpoll allocates an initial buffer per connection. Growth here means connections accumulate: find the peer that keeps opening connections without closing them (check the connection count, e.g. ss -s) and configure idle timeouts or connection limits.',
    docUrl: `${GUIDE}#excessive-creation-of-idle-connections`,
  },
];

export const UNCLASSIFIED: Omit<LeakClass, 'stacks'> = {
  id: 'unclassified-growth',
  title: 'Sustained growth matching no known leak class',
  severity: 'warning',
  summary: (f) => `${f.function} keeps allocating memory that stays in use`,
  remediation:
    'The allocation site is shown, not the holder: follow the stack to the code that stores what this function returns (a map, a slice, a cache without bound or eviction) and bound it or release it.',
  docUrl: `${GUIDE}#how-to-interpret-go-pprof-heap`,
};

/** Module versions with a known leak bug: an `info` finding even before growth shows. */
export const VULNERABLE_VERSIONS: readonly { classId: LeakClassId; module: string; below: string; note: string }[] = [
  {
    classId: 'netpoll-barrier-leak',
    module: 'github.com/cloudwego/netpoll',
    below: 'v0.2.5',
    note: 'netpoll < v0.2.5 has the barrier memory leak (fixed in v0.2.5, Kitex v0.3.3)',
  },
];

/**
 * Growth that is not (yet) a leak: a cache filling up. `info` only; it
 * escalates to the allocation site's own class when the growth continues past
 * the process's warm-up without slowing down (engine.ts).
 */
export const FILLING_CACHE = {
  id: 'filling-cache' as const,
  title: 'Memory filling up, slowing down (a cache warming up?)',
  remediation:
    'Usually a cache or pool warming up: nothing to do if it levels off. heapwatch escalates it to a warning when the growth continues past the warm-up at an undiminished rate.',
  docUrl: `${GUIDE}#how-to-interpret-go-pprof-heap`,
};
