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

import { LARGE_OBJECT_BYTES } from '../pprof/profile.js';
import type { TrendMode } from './trend.js';

/** Classes of warning/critical findings (the dashboards' and alerts' contract); `cache-filling` is info only. */
export const CLASS_IDS = [
  'netpoll-barrier-leak',
  'server-request-field-held',
  'client-response-field-held',
  'sonic-string-pinning',
  'idle-connections',
  'oversized-requests',
  'duplicate-clients',
  'unclassified-growth',
  'goroutine-leak',
] as const;

/** Every class a finding can carry: the alerting classes of CLASS_IDS plus the info-only `cache-filling`. */
export type LeakClassId = (typeof CLASS_IDS)[number] | 'cache-filling';

/** How urgent a finding is; the alert rules and dashboards key on it. */
export type Severity = 'info' | 'warning' | 'critical';

/** A module version range a class depends on (a leak fixed in a release, or introduced by one). */
export interface VersionCondition {
  module: string;
  /** The class applies below this version (exclusive). */
  below?: string;
  /** The class applies from this version on. */
  atLeast?: string;
  /** Whether the class applies when the profile carries no version for the module. */
  whenUnknown: boolean;
}

/** A stack shape, as frame-name patterns: how a class recognises its allocation sites. */
export interface StackCondition {
  /** Every pattern must match some frame. */
  all?: RegExp[];
  /** At least one pattern must match some frame. */
  any?: RegExp[];
  /** For each group, at least one of its patterns must match some frame. */
  anyOf?: RegExp[][];
  /** No frame may match any of these. */
  none?: RegExp[];
}

/** What a class knows about a matched stack, for its text. */
export interface MatchFacts {
  function: string;
  struct?: string;
  fieldId?: number;
  /** Outer generated fields that lead to the held one, outermost first ("PutItemResponse field 6"). */
  fieldPath?: string[];
  /** A decoder with no per-field frames (frugal, prutal, the generic codecs). */
  decoder?: string;
  /** Why the field id cannot be known, when it cannot. */
  fieldIdHidden?: string;
  /** What is held when it is not a decoded field (binary generic's raw message). */
  heldText?: string;
  /** How the decoder came by the field: 'decoded by' unless it only copied it ('copied into' a span cache). */
  decoderVerb?: string;
  /** The standard-library helper that made the allocation for `function` (fmt.Sprintf), when it is not `function` itself. */
  via?: string;
  /** When `function` is a dependency's (a module-cache file): the application's frame that called into it. */
  calledFrom?: string;
  /** 'gRPC' when the message came over nphttp2. */
  transport?: string;
  module?: string;
  version?: string;
}

/** One leak class of the self-check guide, as data: how to recognise it, how bad it is and how to fix it. */
export interface LeakClass {
  id: LeakClassId;
  title: string;
  severity: Exclude<Severity, 'info'>;
  /** One of these stack shapes must match (alternatives, e.g. request and response symptoms). */
  stacks: StackCondition[];
  /**
   * The frame reported as the finding's function: the first frame from the
   * leaf that matches; with several patterns, the first pattern that matches
   * any frame wins (a generated field frame before a decoder's own frame).
   */
  keyFrame?: RegExp | readonly RegExp[];
  /**
   * Every stack of the class is judged as one allocation site with this name
   * (detect/groups.ts): the leak is one cause whose memory is spread over
   * many functions (each duplicate Kitex client's options, lbcache entry,
   * event queue and connections), so only their sum shows a slow leak.
   */
  site?: string;
  versions?: VersionCondition;
  /** Bounds on the mean object size of the growth (history.ts: typicalObjectBytes, the size that grew). */
  meanObjectBytes?: { min?: number; max?: number };
  /** Some function seen in this process (any sample type) must match one of these. */
  processFrames?: RegExp[];
  /** Another growing stack of the same process must match this condition. */
  coGrowing?: StackCondition;
  /** How growth is judged (trend.ts); default `sustained`. */
  trend?: TrendMode;
  /**
   * The site also allocates what its kept objects use only in flight (each
   * duplicate client's request buffers on its own connections), so the
   * share it keeps of what it allocates falls as they are used, bound or
   * not: the kept-share test (alloc.ts: keepsFallingShare) is not asked.
   */
  allocatesInFlight?: boolean;
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
export const FIELD = /\.\(\*(\w+)\)\.(?:FastReadField|ReadField|fastReadField)(\d+)$/;
const SERVER_SIDE = [
  re(`${KX}/pkg/remote/trans\\.\\(\\*svrTransHandler\\)\\.(?:OnRead|Read)`),
  re(`${KX}/pkg/remote/trans/netpoll\\.\\(\\*transServer\\)\\.onConnRead`),
  // The multiplexed transport (server.WithMuxTransport) decodes in a pooled
  // goroutine, under neither frame above: OnRead.func1 → task →
  // readWithByteBuffer (held-out round 38).
  re(`${KX}/pkg/remote/trans/netpollmux\\.\\(\\*svrTransHandler\\)\\.(?:task|readWithByteBuffer|Read)`),
  // gRPC (nphttp2): its client handler is (*cliTransHandler).
  re(`${KX}/pkg/remote/trans/nphttp2\\.(?!\\(\\*cli).+`),
  // TTHeader Streaming: a handler's stream.Recv reads under (*serverStream),
  // started by (*svrTransHandler).OnStream. Its decoder and (*stream) frames
  // are on both sides (held-out round 42).
  re(`${KX}/pkg/remote/trans/ttstream\\.\\(\\*(?:serverStream|svrTransHandler)\\)\\..+`),
];
const CLIENT_SIDE = [
  re(`${KX}/client\\.\\(\\*kClient\\)\\.(?:Call|invokeHandleEndpoint\\.func\\d+)`),
  re(`${KX}/pkg/remote/remotecli\\.\\(\\*client\\)\\.Recv`),
  re(`${KX}/pkg/remote/trans\\.\\(\\*cliTransHandler\\)\\.Read`),
  // A TTHeader Streaming caller's stream.Recv (held-out round 42).
  re(`${KX}/pkg/remote/trans/ttstream\\.\\(\\*clientStream\\)\\..+`),
];
export const DECODE_ENTRY = re(
  `(?:${KX}/pkg/remote/codec/(?:thrift\\.(?:thriftCodec\\.)?(?:Unmarshal|unmarshalThriftData|fastUnmarshal|apacheUnmarshal|frugalUnmarshal|hyperUnmarshal|decodeBasicThriftData)` +
    `|protobuf\\.protobufCodec\\.Unmarshal|grpc\\.\\(\\*grpcCodec\\)\\.Decode)` +
    // binary generic is its own payload codec: no thriftCodec frame above it.
    `|${KX}/pkg/generic\\.\\(\\*binaryThriftCodec\\)\\.Unmarshal` +
    // TTHeader Streaming decodes each message itself, with gopkg's FastUnmarshal.
    `|${KX}/pkg/remote/trans/ttstream\\.DecodePayload)`,
);

/**
 * Kitex's span cache (`pkg/mem`, on by default in v0.9.3-rc to v0.10.0 and
 * off from v0.10.1; gopkg's `lang/span` is the same allocator): FastRead
 * copies every string of a size class into a shared 1 MiB buffer, so a kept
 * string keeps the whole buffer, and the profile charges the buffer to the
 * field frames of whichever string started it. In the kitex-codecs-v010
 * recording a kept PutItemRequest field 5 (2-6 KiB notes) showed two thirds
 * of its memory under Item field 4 (3-8 KiB titles, the same size classes).
 * So the cache's frame is the finding's function: all its buffers are one
 * site, named by the message, not by a field id it cannot know.
 */
const SPAN_CACHE = re(`(?:${KX}/pkg/mem|${BG}/lang/span)\\.\\(\\*span\\)\\.Make`);

/** A decoder (or copier) whose frames cannot name the field it holds. */
export interface OpaqueDecoder {
  frame: RegExp;
  name: string;
  why: string;
  /** What is held, when it is not a decoded field. */
  held?: string;
  /** How the field came to it, when not 'decoded by'. */
  verb?: string;
  /** Name the outermost generated message (not a wrapper), not the struct nearest the leaf. */
  outermostStruct?: boolean;
}

/**
 * Decoders that have no per-field frames, so the held field's id cannot be
 * read from the stack: the finding names the decoder (and the generated
 * wrapper struct, when there is one) and says why. Frame names are from real
 * Kitex v0.16.3 and v0.11.3 builds (test/fixtures/kitex-codecs, kitex-codecs-old)
 * except dynamicgo and google.golang.org/protobuf, which no fixture decodes with.
 */
export const OPAQUE_DECODERS: readonly OpaqueDecoder[] = [
  // Before the field frames that lead to it: see SPAN_CACHE.
  {
    frame: SPAN_CACHE,
    name: "Kitex's span cache",
    verb: 'copied into',
    why: 'strings of one size are copied into shared 1 MiB buffers, and the profile charges each buffer to the field whose string started it, not to the one that is kept',
    outermostStruct: true,
  },
  // frugal >= v0.2 on current Go: internal/reflect.(*tDecoder).Malloc is the leaf.
  { frame: re('github\\.com/cloudwego/frugal/internal/reflect\\..+'), name: 'frugal', why: "decoded by frugal's reflection decoder, which has no per-field frames" },
  // frugal v0.2 JIT (amd64, before go1.24): the leaf is generated code named
  // `(frugal).decoder_7ff00003000`, one per struct, between internal/jit/decoder.decode
  // frames; the stable package frame is reported, not the address-named one.
  // frugal v0.1 (JIT only; Kitex v0.7.3 on go1.20): internal/binary/decoder.decode.
  { frame: re('github\\.com/cloudwego/frugal/internal/(?:jit|binary)/.+'), name: 'frugal', why: "decoded by frugal's JIT decoder, whose generated code shows as (frugal).decoder_<address> frames that name no struct or field" },
  { frame: re('github\\.com/cloudwego/frugal(?:/.+)?\\..+'), name: 'frugal', why: 'decoded by frugal, which has no per-field frames' },
  // prutal (Kitex v0.16.3 protobuf code): internal/prutal.(*Decoder).Malloc under DecodeStruct.
  { frame: re('github\\.com/cloudwego/prutal(?:/.+)?\\..+'), name: 'prutal', why: "decoded by prutal's reflection decoder, which has no per-field frames" },
  // Binary generic: the whole message is copied (dirtmake.Bytes) and handed over undecoded.
  { frame: re(`${KX}/pkg/generic\\.\\(\\*binaryThriftCodec\\)\\..+`), name: 'Kitex binary generic', why: 'the message is passed on as raw bytes and never decoded into fields', held: 'part of a raw message from Kitex binary generic' },
  // Map/JSON generic: pkg/generic/thrift.readString / (*ReadJSON).originalRead.
  { frame: re(`${KX}/(?:pkg|internal)/generic(?:/\\w+)*\\..+`), name: 'the Kitex generic codec', why: 'decoded by the Kitex generic codec from the IDL at run time, so there is no generated struct or field frame' },
  { frame: re('github\\.com/cloudwego/dynamicgo(?:/.+)?\\..+'), name: 'dynamicgo', why: 'decoded by dynamicgo from the IDL at run time, so there is no generated struct or field frame' },
  { frame: re('google\\.golang\\.org/protobuf(?:/.+)?\\..+'), name: 'golang/protobuf', why: "decoded by google.golang.org/protobuf's reflection decoder, which has no per-field frames" },
];
const OPAQUE_DECODER = OPAQUE_DECODERS.map((d) => d.frame);
/** The generated wrapper that handed the bytes to an opaque decoder: `(*ReserveArgs).Unmarshal`. Group: struct. */
export const GENERATED_DECODE = /^(?!github\.com\/cloudwego\/)[^(]+\.\(\*(\w+)\)\.(?:Unmarshal|FastRead|Read)$/;
export const NPHTTP2 = re(`${KX}/pkg/remote/(?:trans/nphttp2|codec/grpc)\\..+`);

/**
 * A decoded-field stack on one side (server/client frames; none: any side):
 * a generated field frame (with `leaf` when given), or a decoder without
 * field frames, under a Kitex codec's decode entry.
 */
const fieldStacks = (side: RegExp[] | undefined, none?: RegExp[], leaf?: RegExp[]): StackCondition[] => {
  const groups = (first: RegExp[] | undefined): RegExp[][] => [first, side].filter((g): g is RegExp[] => g !== undefined);
  return [
    { all: [FIELD, DECODE_ENTRY], anyOf: groups(leaf), none },
    { all: [DECODE_ENTRY], anyOf: groups(OPAQUE_DECODER), none },
  ];
};
/**
 * The finding's function: the span cache's frame (its field frames are not
 * the kept field's), else a generated field frame, else the opaque decoder's.
 */
const FIELD_KEY = [SPAN_CACHE, FIELD, ...OPAQUE_DECODER];
/** Where a string or binary field is copied out of the wire buffer. */
const STRING_LEAF = [
  re(`${KX}/pkg/protocol/bthrift\\.\\(?\\*?binaryProtocol\\)?\\.Read(?:String|Binary)`),
  re(`${CG}/protocol/thrift\\.\\(?\\*?BinaryProtocol\\)?\\.Read(?:String|Binary)`),
  re(`${CG}/protocol/thrift\\.\\(\\*BufferReader\\)\\.Read(?:String|Binary)`),
  re(`${KX}/pkg/remote/codec/thrift\\.\\(\\*BinaryProtocol\\)\\.Read(?:String|Binary)`),
  re(`${NP}\\.${LB}\\.readBinary`),
  re(`${KX}/pkg/mem\\.\\(\\*span\\)\\.Make`),
  re(`${BG}/lang/span\\.\\(\\*span\\)\\.Make`),
  // fastpb v0.0.5 (Kitex v0.11.3 code): fastpb.ReadBytes / ReadString is the leaf (inlined), no impl frame.
  re('github\\.com/cloudwego/fastpb\\.(?:impl\\.)?Read(?:String|Bytes)'),
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
/** Where every duplicate client's memory comes from: one site for all of it (LeakClass.site). */
const DUPLICATE_CLIENTS_SITE = 'github.com/cloudwego/kitex/client.NewClient';
const CLIENT_DIAL = [
  re(`${NP}\\.(?:newTCPConnection|DialTCP|DialConnection|\\(\\*dialer\\)\\.(?:DialConnection|DialTimeout|dialTCP)|\\(\\*sysDialer\\)\\.dialTCP)`),
  re(`${KX}/pkg/remote/connpool\\..+`),
  re(`${KX}/pkg/remote/remotecli\\.NewClient`),
];

/**
 * netpoll v0.6.1 (which Kitex v0.10.0 pins) returns a string or binary of 64 B
 * or more read from a node of at most 32 KiB as a slice of that node, not a
 * copy (`(*UnsafeLinkBuffer).readBinary`; v0.6.2 turned it off, v0.6.3 to
 * v0.7.2 have it behind Feature.AlwaysNoCopyRead, off by default). A kept
 * field then keeps its whole read buffer, and the profile charges that to the poller's
 * (*connection).inputs -> book -> newLinkBufferNode, with no decoder or field
 * frame: the catalogue's note N3, seen in test/fixtures/kitex-v010's request
 * and response field leaks. That stack is the barrier bug below v0.2.5 and an
 * oversized request at 1 MiB or more (both rows come first); what grows there
 * in nodes that could be read without a copy is held fields.
 */
const NOCOPY_READ_BUFFER: Pick<LeakClass, 'stacks' | 'keyFrame' | 'versions' | 'meanObjectBytes'> = {
  stacks: [{ all: [NODE, ...INPUT_BOOK] }],
  keyFrame: re(`${NP}\\.${LB}\\.book`),
  // Only the release that reads this way by default: on v0.6.3 and later the
  // same growth may be fields read with Feature.AlwaysNoCopyRead, or input no
  // handler consumes, and the stack does not say which.
  versions: { module: 'github.com/cloudwego/netpoll', atLeast: 'v0.6.1', below: 'v0.6.2', whenUnknown: false },
  // netpoll's block32k: larger nodes are always copied out of.
  meanObjectBytes: { max: 32 * 1024 },
};
const NOCOPY_FIELD_HIDDEN = 'field id not visible: the memory is the connection\'s read buffer, charged to the poller, not to a decoder';

/**
 * "Item field 7, inside PutItemResponse field 6"; for an opaque decoder "a
 * field of ReserveArgs decoded by prutal (field id not visible: ...)".
 */
export const fieldText = (f: MatchFacts): string => {
  if (f.struct !== undefined && f.fieldId !== undefined) {
    const outer = f.fieldPath?.length ? `, inside ${f.fieldPath.join(' > ')}` : '';
    return `${f.struct} field ${f.fieldId}${outer}`;
  }
  if (f.decoder) {
    if (f.heldText) return `${f.heldText} (field id not visible: ${f.fieldIdHidden ?? 'not decoded'})`;
    const of = f.struct ? `a field of ${f.struct}` : 'a field';
    return `${of} ${f.decoderVerb ?? 'decoded by'} ${f.decoder} (field id not visible: ${f.fieldIdHidden ?? 'no field frames'})`;
  }
  return f.function;
};
const kitexText = (f: MatchFacts): string => (f.transport ? `Kitex, ${f.transport}` : 'Kitex');

/**
 * What users see of the field-held classes, shared by each class's rows (a
 * decoder's field, a buffer netpoll read without a copy): alerts and
 * dashboards show one text per class (src/observability/class-text.ts).
 */
const SONIC_TEXT = {
  id: 'sonic-string-pinning',
  title: 'Sonic-decoded strings pin a large Request/Response string',
  severity: 'warning',
  remediation:
    'Sonic reuses the input string for decoded strings, so caching anything decoded from a large field keeps the whole field alive (on Kitex v0.10.0, whose netpoll v0.6.1 reads without a copy, its whole 16-32 KiB read buffer). Decode with sonic.Config{CopyString: true} (or decoder.OptionCopyString), then find where the decoded objects are kept.',
  docUrl: `${GUIDE}#caching-objects-by-parsing-string-fields-in-requestresponse-using-sonic`,
} as const;
const CLIENT_FIELD_TEXT = {
  id: 'client-response-field-held',
  title: 'Client keeps a field of a decoded Response',
  severity: 'warning',
  remediation:
    "Code that calls this client keeps a reference to a field of the response (even a one-byte sub-slice keeps the whole buffer: on Kitex v0.10.0 a 16-32 KiB netpoll read buffer or a 1 MiB span). Find the field id in the IDL (where the finding names none, check every string and binary field), search for where the response field is stored, and copy what you keep (strings.Clone / bytes.Clone). A field netpoll read without a copy may also be a request's, if this process serves requests too.",
  docUrl: `${GUIDE}#persistent-holding-of-a-field-in-response`,
} as const;
const SERVER_FIELD_TEXT = {
  id: 'server-request-field-held',
  title: 'Server keeps a field of a decoded Request',
  severity: 'warning',
  remediation:
    'A handler keeps a reference to a field of the request (even a one-byte sub-slice keeps the whole buffer: on Kitex v0.10.0 a 16-32 KiB netpoll read buffer or a 1 MiB span). Look up the field id in the IDL (where the finding names none, check every string and binary field), search the handler code for where it is stored, and copy what you keep (strings.Clone / bytes.Clone).',
  docUrl: `${GUIDE}#holding-onto-a-field-of-request-object-persistently`,
} as const;

/** Most specific first: the first class whose conditions all hold wins. */
export const LEAK_CLASSES: readonly LeakClass[] = [
  {
    ...SONIC_TEXT,
    stacks: fieldStacks(undefined, undefined, STRING_LEAF),
    keyFrame: FIELD_KEY,
    // The decode site alone cannot tell this from a plain field leak (the
    // catalogue's N1): the evidence is Sonic decoding in the same process. In
    // the real profiles Sonic frames show in alloc_space only.
    processFrames: [SONIC_DECODER],
    summary: (f) => `${fieldText(f)} is kept alive through strings Sonic decoded from it`,
  },
  {
    ...CLIENT_FIELD_TEXT,
    stacks: fieldStacks(CLIENT_SIDE),
    keyFrame: FIELD_KEY,
    summary: (f) => `client keeps ${fieldText(f)} (${kitexText(f)})`,
  },
  {
    ...SERVER_FIELD_TEXT,
    stacks: fieldStacks(SERVER_SIDE, CLIENT_SIDE),
    keyFrame: FIELD_KEY,
    summary: (f) => `server keeps ${fieldText(f)} (${kitexText(f)})`,
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
    // The decoders' large-object split (profile.ts), so the class reads a stack's large buffers by their own size.
    meanObjectBytes: { min: LARGE_OBJECT_BYTES },
    // Few, huge objects: inuse moves in 8 MiB steps as buffers are taken
    // from and returned to the pool, so the floor is judged, not the slope.
    trend: 'retained',
    summary: () => 'netpoll pools keep buffers of abnormally large requests',
    remediation:
      'Not a leak in heapwatch\'s sense but a memory risk: netpoll caches buffers sized for abnormally large requests. Find the source of the large requests (packet capture on this service) and have the caller stop sending oversized fields.',
    docUrl: `${GUIDE}#large-request-with-abnormal-size`,
  },
  // A held field that netpoll read without a copy (NOCOPY_READ_BUFFER): with
  // Sonic decoding in the process, as for a decoder's field (N1); else a
  // process that makes Kitex calls is taken as the client keeping a
  // response's field, since the stack cannot tell which side read the buffer.
  {
    ...SONIC_TEXT,
    ...NOCOPY_READ_BUFFER,
    processFrames: [SONIC_DECODER],
    summary: (f) => `a field that netpoll ${f.version ?? 'v0.6.1'} read without a copy is kept alive through strings Sonic decoded from it (${NOCOPY_FIELD_HIDDEN})`,
  },
  {
    ...CLIENT_FIELD_TEXT,
    ...NOCOPY_READ_BUFFER,
    processFrames: CLIENT_SIDE,
    summary: (f) => `client keeps a field of a Response that netpoll ${f.version ?? 'v0.6.1'} read without a copy (${NOCOPY_FIELD_HIDDEN})`,
  },
  {
    ...SERVER_FIELD_TEXT,
    ...NOCOPY_READ_BUFFER,
    processFrames: SERVER_SIDE,
    summary: (f) => `server keeps a field of a Request that netpoll ${f.version ?? 'v0.6.1'} read without a copy (${NOCOPY_FIELD_HIDDEN})`,
  },
  {
    id: 'duplicate-clients',
    title: 'Kitex clients are created repeatedly (lbcache growth)',
    severity: 'warning',
    stacks: [{ any: CLIENT_CREATION }],
    keyFrame: re(`${KX}/(?:client|internal/client|pkg/loadbalance/lbcache)\\..+`),
    site: DUPLICATE_CLIENTS_SITE,
    allocatesInFlight: true,
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
    site: DUPLICATE_CLIENTS_SITE,
    allocatesInFlight: true,
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

/** The guide's abnormally large requests: a leak class where netpoll's pool keeps them, a risk where it does not (large-requests.ts). */
export const OVERSIZED_REQUESTS: LeakClass = LEAK_CLASSES.find((c) => c.id === 'oversized-requests')!;

/**
 * The runtime's frame that makes a new goroutine's descriptor: a heap stack
 * of only the runtime through it is goroutines piling up, owned by it
 * (classify.ts: ownerFrame) rather than by `runtime.mallocgc`.
 */
export const GOROUTINE_START = 'runtime.newproc1';

/** "(allocated in fmt.Sprintf; called from main.(*meter).observe)": the helper below the owner and the application above a dependency. */
const detailsOf = (f: MatchFacts): string => {
  const parts = [f.via && `allocated in ${f.via}`, f.calledFrom && `called from ${f.calledFrom}`].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
};

export const UNCLASSIFIED: Omit<LeakClass, 'stacks'> = {
  id: 'unclassified-growth',
  title: 'Sustained growth matching no known leak class',
  severity: 'warning',
  summary: (f) =>
    f.function === GOROUTINE_START
      ? 'goroutines keep being started and never exit: their descriptors stay in use (runtime.newproc1; the goroutine profile names the code that starts them and where they wait)'
      : `${f.function} keeps allocating memory that stays in use${detailsOf(f)}`,
  remediation:
    'The allocation site is shown, not the holder: follow the stack to the code that stores what this function returns (a map, a slice, a cache without bound or eviction) and bound it or release it.',
  docUrl: `${GUIDE}#how-to-interpret-go-pprof-heap`,
};

/**
 * Goroutines that pile up: judged on goroutine profiles (sustained growth of
 * one wait in one function) and goroutineleak profiles (the runtime proved
 * them leaked), not on heap stacks (detect/goroutine.ts).
 */
export const GOROUTINE_LEAK: Omit<LeakClass, 'stacks'> = {
  id: 'goroutine-leak',
  title: 'Goroutines pile up, blocked (goroutine leak)',
  severity: 'warning',
  summary: (f) => `goroutines blocked in ${f.function} pile up`,
  remediation:
    'Goroutines wait forever on a channel, select, lock or connection that nobody will serve: the finding names the blocking frame and the function. Give every blocking wait a way out (ctx.Done(), a close, a timeout), Unlock with defer, and close HTTP response bodies.',
  docUrl: 'https://go.dev/issue/74609',
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
 * Whether a site's shape may say what its growth is (a cache filling, load
 * in flight, a sawtooth refilling): not for a module version known to leak,
 * nor for a retained class (abnormally large buffers come and go by design,
 * and their floor is what they are judged on). Their class says what they are.
 */
export function judgedByShape(classId: LeakClassId, trend: TrendMode | undefined): boolean {
  return trend !== 'retained' && !VULNERABLE_VERSIONS.some((v) => v.classId === classId);
}

/**
 * Growth that is not (yet) a leak: a cache filling up. `info` only; it
 * escalates to the allocation site's own class when the growth continues past
 * the process's warm-up without slowing down (engine.ts).
 */
export const FILLING_CACHE = {
  id: 'cache-filling' as const,
  title: 'Memory filling up, slowing down (a cache warming up?)',
  remediation:
    'Usually a cache or pool warming up: nothing to do if it levels off. heapwatch escalates it to a warning when the growth continues past the warm-up at an undiminished rate.',
  docUrl: `${GUIDE}#how-to-interpret-go-pprof-heap`,
};
