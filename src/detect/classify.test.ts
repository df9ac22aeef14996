/**
 * The leak classes on real stacks (copied from the corpus profiles of real
 * Kitex v0.3.2 and v0.16.3 services, leaf first). Adding a class means adding
 * a row here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyStack, type ProcessContext } from './classify.js';

const NP = 'github.com/cloudwego/netpoll';
const KX = 'github.com/cloudwego/kitex';
const BG = 'github.com/bytedance/gopkg';
const GEN = 'heapwatch.test/fixtures/kitex/kitex_gen/echo';

const SERVER_FIELD = [
  'github.com/cloudwego/gopkg/protocol/thrift.BinaryProtocol.ReadString',
  `${GEN}.(*Request).FastReadField2`,
  `${GEN}.(*Request).FastRead`,
  `${GEN}.(*EchoEchoArgs).FastReadField1`,
  `${GEN}.(*EchoEchoArgs).FastRead`,
  `${KX}/pkg/remote/codec/thrift.fastUnmarshal`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.unmarshalThriftData`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  `${KX}/pkg/remote/codec.(*defaultCodec).DecodePayload`,
  `${KX}/pkg/remote/trans.(*svrTransHandler).Read`,
  `${KX}/pkg/remote/trans/detection.(*svrTransHandler).Read`,
  `${KX}/pkg/remote.(*TransPipeline).Read`,
  `${KX}/pkg/remote/trans.(*svrTransHandler).OnRead`,
  `${KX}/pkg/remote/trans/netpoll.(*transServer).onConnRead`,
  `${NP}.(*connection).onProcess.func1`,
  `${BG}/util/gopool.(*worker).run.func1`,
];
/** The same leak on the multiplexed transport (server.WithMuxTransport; held-out round 38, Kitex v0.16.3). */
const SERVER_FIELD_MUX = [
  ...SERVER_FIELD.slice(0, 9),
  `${KX}/pkg/remote/codec.(*defaultCodec).Decode`,
  `${KX}/pkg/remote/trans/netpollmux.(*svrTransHandler).readWithByteBuffer`,
  `${KX}/pkg/remote/trans/netpollmux.(*svrTransHandler).task`,
  `${KX}/pkg/remote/trans/netpollmux.(*svrTransHandler).OnRead.func1`,
  `${KX}/pkg/gofunc.init.0.func1.1`,
  `${BG}/util/gopool.(*worker).run.func1.1`,
  `${BG}/util/gopool.(*worker).run.func1`,
];
/** A streaming message's field (TTHeader Streaming, Kitex v0.16.3; held-out round 42): ttstream decodes it itself. */
const STREAM_GEN = 'heapwatch.test/fixtures/kitexstream/kitex_gen/ingest';
const STREAM_DECODE = [
  'github.com/cloudwego/gopkg/protocol/thrift.BinaryProtocol.ReadString',
  `${STREAM_GEN}.(*Chunk).FastReadField2`,
  `${STREAM_GEN}.(*Chunk).FastRead`,
  'github.com/cloudwego/gopkg/protocol/thrift.FastUnmarshal',
  `${KX}/pkg/remote/trans/ttstream.DecodePayload`,
  `${KX}/pkg/remote/trans/ttstream.(*stream).RecvMsg`,
];
const SERVER_STREAM_FIELD = [
  ...STREAM_DECODE,
  `${KX}/pkg/remote/trans/ttstream.(*serverStream).RecvMsg`,
  `${KX}/internal/server.(*StreamOptions).BuildRecvChain.func1`,
  `${KX}/server.(*stream).RecvMsg`,
  `${KX}/pkg/streaming.(*clientStreamingServerImpl).Recv`,
  'main.(*handler).Upload',
  `${KX}/pkg/remote/trans/ttstream.(*svrTransHandler).OnStream`,
  `${KX}/pkg/remote/trans/ttstream.(*svrTransHandler).OnRead.func2`,
  `${BG}/util/gopool.(*worker).run.func1`,
];
const CLIENT_STREAM_FIELD = [
  ...STREAM_DECODE.map((f) => f.replace('(*Chunk)', '(*Ack)')),
  `${KX}/pkg/remote/trans/ttstream.(*clientStream).RecvMsg`,
  `${KX}/client.init.func2`,
  `${KX}/client.(*stream).recvWithTimeout`,
  `${KX}/client.(*stream).RecvMsg`,
  `${KX}/pkg/streaming.(*bidiStreamingClientImpl).Recv`,
  'main.oneStream',
];
const CLIENT_FIELD = [
  'github.com/cloudwego/gopkg/protocol/thrift.BinaryProtocol.ReadString',
  `${GEN}.(*Response).FastReadField2`,
  `${GEN}.(*Response).FastRead`,
  `${GEN}.(*EchoEchoResult).FastReadField0`,
  `${KX}/pkg/remote/codec/thrift.fastUnmarshal`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  `${KX}/pkg/remote/codec.(*defaultCodec).DecodePayload`,
  `${KX}/pkg/remote/trans.(*cliTransHandler).Read`,
  `${KX}/pkg/remote/remotecli.(*client).Recv`,
  `${KX}/client.(*kClient).invokeHandleEndpoint.func1`,
  `${KX}/client.(*timeoutPool).createWorker.func1`,
];
const POOL_LEAF = [`${BG}/lang/mcache.init.0.func1`, 'sync.(*Pool).Get', `${BG}/lang/mcache.Malloc`, `${NP}.malloc`, `${NP}.newLinkBufferNode`];
const INPUT_BOOK_V024 = [...POOL_LEAF, `${NP}.(*LinkBuffer).book`, `${NP}.(*connection).inputs`, `${NP}.(*defaultPoll).handler`, `${NP}.(*defaultPoll).Wait`];
const INPUT_BOOK_V072 = [
  `${BG}/lang/dirtmake.Bytes`,
  ...POOL_LEAF,
  `${NP}.(*UnsafeLinkBuffer).book`,
  `${NP}.(*connection).inputs`,
  `${NP}.(*defaultPoll).handler`,
  `${NP}.(*defaultPoll).Wait`,
];
const SERVER_CONN = [`${BG}/lang/dirtmake.Bytes`, ...POOL_LEAF, `${NP}.NewLinkBuffer`, `${NP}.(*connection).init`, `${NP}.(*server).onAccept`, `${NP}.(*server).OnRead`];
const CLIENT_CONN = [
  `${BG}/lang/dirtmake.Bytes`,
  ...POOL_LEAF,
  `${NP}.NewLinkBuffer`,
  `${NP}.(*connection).init`,
  `${NP}.newTCPConnection`,
  `${NP}.(*sysDialer).dialTCP`,
  `${NP}.DialTCP`,
  `${KX}/pkg/remote/connpool.(*LongPool).Get`,
  `${KX}/pkg/remote/remotecli.NewClient`,
];
const LBCACHE = [
  `${KX}/client.(*kClient).initLBCache.discoveryEventHandler.func5`,
  `${KX}/pkg/loadbalance/lbcache.(*hookableRebalancer).Rebalance`,
  `${KX}/pkg/loadbalance/lbcache.(*Balancer).Refresh`,
  `${KX}/pkg/utils.(*SharedTicker).asyncExec.func1`,
];
const SONIC_ALLOC = ['github.com/bytedance/sonic/internal/rt.GrowSlice', 'github.com/bytedance/sonic/internal/decoder/api.(*Decoder).Decode', 'github.com/bytedance/sonic.frozenConfig.UnmarshalFromString'];

// Real stacks of the codec fixtures (test/fixtures/kitex-codecs, Kitex v0.16.3,
// frugal v0.3.1, prutal v0.1.3): another IDL, nested structs, lists, binary fields.
const CAT = 'heapwatch.test/fixtures/kitexcodecs/kitex_gen/catalog';
const INV = 'heapwatch.test/fixtures/kitexcodecs/kitex_gen/inventory/inventory';
const SERVER_READ = [
  `${KX}/pkg/remote/codec.(*defaultCodec).DecodePayload`,
  `${KX}/pkg/remote/trans.(*svrTransHandler).Read`,
  `${KX}/pkg/remote/trans/detection.(*svrTransHandler).Read`,
  `${KX}/pkg/remote.(*TransPipeline).Read`,
  `${KX}/pkg/remote/trans.(*svrTransHandler).OnRead`,
  `${KX}/pkg/remote/trans/detection.(*svrTransHandler).OnRead`,
  `${KX}/pkg/remote.(*TransPipeline).OnRead`,
  `${KX}/pkg/remote/trans/netpoll.(*transServer).onConnRead`,
  `${NP}.(*connection).onProcess.func1`,
  `${BG}/util/gopool.(*worker).run.func1.1`,
  `${BG}/util/gopool.(*worker).run.func1`,
];
const CLIENT_CALL = [
  `${KX}/pkg/remote.(*TransPipeline).Read`,
  `${KX}/pkg/remote/remotecli.(*client).Recv`,
  `${KX}/client.(*kClient).invokeHandleEndpoint.func1`,
  `${KX}/client.(*kClient).initMiddlewares.newIOErrorHandleMW.func6.1`,
  `${KX}/client.contextMW.func1`,
  `${KX}/client.(*kClient).buildInvokeChain.func1`,
  `${KX}/client.rpcTimeoutMW.func1.1`,
  `${KX}/client.(*timeoutTask).Run`,
  `${KX}/client.(*timeoutPool).createWorker.func1`,
];
const THRIFT_CLIENT_READ = [`${KX}/pkg/remote/codec.(*defaultCodec).DecodePayload`, `${KX}/pkg/remote/codec.(*defaultCodec).Decode`, `${KX}/pkg/remote/trans.(*cliTransHandler).Read`, ...CLIENT_CALL];
const FASTREAD_LIST = [
  'github.com/cloudwego/gopkg/protocol/thrift.BinaryProtocol.ReadString',
  `${CAT}.(*PutItemRequest).FastReadField5`,
  `${CAT}.(*PutItemRequest).FastRead`,
  `${CAT}.(*CatalogPutItemArgs).FastReadField1`,
  `${CAT}.(*CatalogPutItemArgs).FastRead`,
  `${KX}/pkg/remote/codec/thrift.fastUnmarshal`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.unmarshalThriftData`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  ...SERVER_READ,
];
const APACHE_NESTED_BINARY = [
  `${BG}/lang/dirtmake.Bytes`,
  'github.com/cloudwego/gopkg/protocol/thrift.(*BufferReader).ReadBinary',
  `${KX}/pkg/protocol/bthrift/apache.(*BinaryProtocol).ReadBinary`,
  `${CAT}.(*Item).ReadField7`,
  `${CAT}.(*Item).Read`,
  `${CAT}.(*PutItemResponse).ReadField6`,
  `${CAT}.(*PutItemResponse).Read`,
  `${CAT}.(*CatalogPutItemResult).ReadField0`,
  `${CAT}.(*CatalogPutItemResult).Read`,
  `${KX}/pkg/protocol/bthrift/apache.callThriftRead`,
  'github.com/cloudwego/gopkg/protocol/thrift/apache.ThriftRead',
  `${KX}/pkg/remote/codec/thrift.apacheUnmarshal`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.unmarshalThriftData`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  ...THRIFT_CLIENT_READ,
];
const FRUGAL_DECODE = [
  'github.com/cloudwego/frugal/internal/reflect.(*tDecoder).Malloc',
  'github.com/cloudwego/frugal/internal/reflect.(*tDecoder).decodeType',
  'github.com/cloudwego/frugal/internal/reflect.(*tDecoder).Decode',
  'github.com/cloudwego/frugal/internal/reflect.(*tDecoder).decodeType',
  'github.com/cloudwego/frugal/internal/reflect.(*tDecoder).Decode',
  'github.com/cloudwego/frugal/internal/reflect.Decode',
  'github.com/cloudwego/frugal.DecodeObject',
];
const FRUGAL_SERVER = [
  ...FRUGAL_DECODE,
  `${KX}/pkg/remote/codec/thrift.frugalUnmarshal`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.unmarshalThriftData`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  ...SERVER_READ,
];
const PRUTAL_DECODE = [
  'github.com/cloudwego/prutal/internal/prutal.(*Decoder).Malloc',
  'github.com/cloudwego/prutal/internal/prutal.(*Decoder).DecodeStruct',
  'github.com/cloudwego/prutal/internal/prutal.Unmarshal',
  'github.com/cloudwego/prutal.Unmarshal',
];
const PROTOBUF_SERVER = [...PRUTAL_DECODE, `${INV}.(*ReserveArgs).Unmarshal`, `${KX}/pkg/remote/codec/protobuf.protobufCodec.Unmarshal`, ...SERVER_READ];
const GRPC_CLIENT = [
  ...PRUTAL_DECODE,
  `${INV}.(*ReserveResult).Unmarshal`,
  `${KX}/pkg/remote/codec/grpc.(*grpcCodec).Decode`,
  `${KX}/pkg/remote/trans/nphttp2.(*cliTransHandler).Read`,
  ...CLIENT_CALL,
];
const GENERIC_MAP_SERVER = [
  `${BG}/lang/dirtmake.Bytes`,
  'github.com/cloudwego/gopkg/protocol/thrift.(*BufferReader).ReadBinary',
  'github.com/cloudwego/gopkg/protocol/thrift.(*BufferReader).ReadString',
  `${KX}/pkg/generic/thrift.readString`,
  `${KX}/pkg/generic/thrift.readStruct`,
  `${KX}/pkg/generic/thrift.readStruct`,
  `${KX}/pkg/generic/thrift.skipStructReader`,
  `${KX}/pkg/generic/thrift.(*ReadStruct).Read`,
  `${KX}/internal/generic.(*Args).Read`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  ...SERVER_READ,
];
const GENERIC_JSON_CLIENT = [
  `${KX}/pkg/generic/thrift.(*ReadJSON).originalRead`,
  `${KX}/pkg/generic/thrift.(*ReadJSON).Read`,
  `${KX}/internal/generic.(*Result).Read`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  ...THRIFT_CLIENT_READ,
];// gRPC server on v0.16.3: the request message itself is decoded inside the generated handler.
const GRPC_SERVER = [
  'github.com/cloudwego/prutal/internal/prutal.(*Decoder).Malloc',
  'github.com/cloudwego/prutal/internal/prutal.(*Decoder).DecodeStruct',
  'github.com/cloudwego/prutal/internal/prutal.(*Decoder).DecodeStruct',
  'github.com/cloudwego/prutal/internal/prutal.Unmarshal',
  'github.com/cloudwego/prutal.Unmarshal',
  'heapwatch.test/fixtures/kitexcodecs/kitex_gen/inventory.(*ReserveRequest).Unmarshal',
  `${KX}/pkg/remote/codec/grpc.(*grpcCodec).Decode`,
  `${KX}/pkg/remote/trans/nphttp2.(*svrTransHandler).Read`,
  `${KX}/pkg/remote/trans/nphttp2.(*serverStream).RecvMsg`,
  `${KX}/pkg/remote/trans/nphttp2.(*grpcServerStream).RecvMsg`,
  `${KX}/internal/stream.(*StreamingConfig).BuildRecvInvokeChain.func1`,
  `${KX}/server.(*grpcStream).RecvMsg`,
  `${INV}.reserveHandler`,
  `${KX}/server.(*server).unaryOrStreamEndpoint.(*server).streamHandleEndpoint.func5`,
  `${KX}/server.(*server).unaryOrStreamEndpoint.func1`,
  `${KX}/pkg/remote/trans/nphttp2.(*svrTransHandler).handleFunc`,
  `${KX}/pkg/remote/trans/nphttp2.(*svrTransHandler).OnRead.func1.1`,
  `${KX}/pkg/gofunc.init.0.func1.1`,
  `${BG}/util/gopool.(*worker).run.func1.1`,
  `${BG}/util/gopool.(*worker).run.func1`,
];
const GENERIC_BINARY_SERVER = [`${BG}/lang/dirtmake.Bytes`, `${KX}/pkg/generic.(*binaryThriftCodec).Unmarshal`, ...SERVER_READ];

// Kitex v0.11.3 (test/fixtures/kitex-codecs-old): fastpb-generated protobuf code.
const INV_OLD = 'heapwatch.test/fixtures/kitexcodecs/kitex_gen/inventory';
const FASTPB_BYTES_SERVER = [
  'github.com/cloudwego/fastpb.ReadBytes',
  `${INV_OLD}.(*ReserveRequest).fastReadField7`,
  `${INV_OLD}.(*ReserveRequest).FastRead`,
  `${INV_OLD}/inventory.(*ReserveArgs).FastRead`,
  'github.com/cloudwego/fastpb.impl.ReadMessage',
  'github.com/cloudwego/fastpb.ReadMessage',
  `${KX}/pkg/remote/codec/protobuf.protobufCodec.Unmarshal`,
  ...SERVER_READ,
];
// gRPC server: the message is decoded inside the generated handler (RecvMsg).
const FASTPB_GRPC_SERVER = [
  'github.com/cloudwego/fastpb.impl.ReadString',
  'github.com/cloudwego/fastpb.ReadString',
  `${INV_OLD}.(*Lot).fastReadField3`,
  `${INV_OLD}.(*Lot).FastRead`,
  'github.com/cloudwego/fastpb.impl.ReadMessage',
  'github.com/cloudwego/fastpb.ReadMessage',
  `${INV_OLD}.(*ReserveRequest).fastReadField4`,
  `${INV_OLD}.(*ReserveRequest).FastRead`,
  'github.com/cloudwego/fastpb.impl.ReadMessage',
  'github.com/cloudwego/fastpb.ReadMessage',
  `${KX}/pkg/remote/codec/grpc.(*grpcCodec).Decode`,
  `${KX}/pkg/remote/trans/nphttp2.(*svrTransHandler).Read`,
  `${KX}/pkg/remote/trans/nphttp2.(*stream).RecvMsg`,
  `${KX}/server.(*server).buildStreamInvokeChain.(*server).invokeRecvEndpoint.func1`,
  `${KX}/pkg/remote/trans/nphttp2.(*streamWithMiddleware).RecvMsg`,
  `${INV_OLD}/inventory.reserveHandler`,
  `${KX}/server.(*server).buildInvokeChain.(*server).invokeHandleEndpoint.func1`,
  `${KX}/server.(*server).fixStreamCtxDiverge.newCtxInjectMW.func1.1`,
  `${KX}/pkg/remote/trans/nphttp2.(*svrTransHandler).handleFunc`,
  `${KX}/pkg/remote/trans/nphttp2.(*svrTransHandler).OnRead.func1.1`,
  `${KX}/pkg/gofunc.init.0.func1.1`,
  `${BG}/util/gopool.(*worker).run.func1.1`,
  `${BG}/util/gopool.(*worker).run.func1`,
];
const FRUGAL_JIT_SERVER = [
  '(frugal).decoder_7ff00003000',
  'github.com/cloudwego/frugal/internal/jit/decoder.decode',
  '(frugal).decoder_7ff00001000',
  'github.com/cloudwego/frugal/internal/jit/decoder.decode',
  '(frugal).decoder_7ff00000000',
  'github.com/cloudwego/frugal/internal/jit/decoder.decode',
  'github.com/cloudwego/frugal/internal/jit/decoder.DecodeObject',
  'github.com/cloudwego/frugal.jitDecodeObject',
  'github.com/cloudwego/frugal.DecodeObject',
  `${KX}/pkg/remote/codec/thrift.thriftCodec.hyperMessageUnmarshal`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.hyperUnmarshal`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.unmarshalThriftData`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  ...SERVER_READ,
];
const OLD_CODECS = { [NP]: 'v0.6.4', [KX]: 'v0.11.3' };
// Kitex v0.10.0 / netpoll v0.6.1 (corpus leak-server-request-field-kitex-v010):
// a kept request field read without a copy keeps its 16 KiB read buffer.
const INPUT_BOOK_V061 = [
  `${BG}/lang/mcache.init.0.func1`,
  'sync.(*Pool).Get',
  `${BG}/lang/mcache.Malloc`,
  `${NP}.malloc`,
  `${NP}.newLinkBufferNode`,
  `${NP}.(*UnsafeLinkBuffer).book`,
  `${NP}.(*connection).inputs`,
  `${NP}.(*defaultPoll).handler`,
  `${NP}.(*defaultPoll).Wait`,
];
// Kitex v0.10.0's FastRead copies strings into 1 MiB spans: a kept field 5
// keeps buffers that the profile charges to whichever field started them
// (corpus leak-codec-fastread-notes-kitex-v010, shortened).
const SPAN_SERVER = (field: string[]): string[] => [
  `${KX}/pkg/mem.(*span).Make`,
  `${KX}/pkg/mem.(*spanCache).Make`,
  `${KX}/pkg/mem.(*spanCache).Copy`,
  `${KX}/pkg/protocol/bthrift.binaryProtocol.ReadString`,
  ...field,
  `${CAT}.(*PutItemRequest).FastRead`,
  `${CAT}.(*CatalogPutItemArgs).FastReadField1`,
  `${CAT}.(*CatalogPutItemArgs).FastRead`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.fastUnmarshal`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.unmarshalThriftData`,
  `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`,
  `${KX}/pkg/remote/codec.(*defaultCodec).DecodePayload`,
  `${KX}/pkg/remote/trans.(*svrTransHandler).Read`,
  `${KX}/pkg/remote/trans.(*svrTransHandler).OnRead`,
];
const V010 = { [NP]: 'v0.6.1', [KX]: 'v0.10.0' };
const SERVER_FRAMES = [`${KX}/pkg/remote/trans.(*svrTransHandler).OnRead`];
const CLIENT_FRAMES = [`${KX}/client.(*kClient).Call`, `${KX}/pkg/remote/trans.(*cliTransHandler).Read`];

function ctx(modules: Record<string, string>, functions: string[] = [], growing: string[][] = []): ProcessContext {
  return {
    modules: new Map(Object.entries(modules)),
    functions: new Set(functions),
    growing: growing.map((frames) => ({ frames, growthBytes: 1e7, meanObjectBytes: 4096 })),
  };
}

const NEW = { [NP]: 'v0.7.2', [KX]: 'v0.16.3' };
const OLD = { [NP]: 'v0.2.4', [KX]: 'v0.3.2' };

describe('classifyStack', () => {
  const cases: { name: string; frames: string[]; mean?: number; ctx: ProcessContext; cls: string; fn: string | RegExp; summary?: RegExp }[] = [
    { name: 'server keeps Request field 2', frames: SERVER_FIELD, ctx: ctx(NEW), cls: 'server-request-field-held', fn: `${GEN}.(*Request).FastReadField2`, summary: /^server keeps Request field 2 \(Kitex\)$/ },
    { name: 'server keeps Request field 2, decoded by the multiplexed transport', frames: SERVER_FIELD_MUX, ctx: ctx(NEW), cls: 'server-request-field-held', fn: `${GEN}.(*Request).FastReadField2`, summary: /^server keeps Request field 2 \(Kitex\)$/ },
    { name: 'server keeps a streamed Chunk field 2 (TTHeader Streaming)', frames: SERVER_STREAM_FIELD, ctx: ctx(NEW), cls: 'server-request-field-held', fn: `${STREAM_GEN}.(*Chunk).FastReadField2`, summary: /^server keeps Chunk field 2 \(Kitex\)$/ },
    { name: 'a streaming caller keeps a received Ack field 2 (TTHeader Streaming)', frames: CLIENT_STREAM_FIELD, ctx: ctx(NEW), cls: 'client-response-field-held', fn: `${STREAM_GEN}.(*Ack).FastReadField2`, summary: /^client keeps Ack field 2 \(Kitex\)$/ },
    { name: 'client keeps Response field 2', frames: CLIENT_FIELD, ctx: ctx(NEW), cls: 'client-response-field-held', fn: `${GEN}.(*Response).FastReadField2`, summary: /^client keeps Response field 2/ },
    { name: 'sonic: field growth + Sonic decoding in the process', frames: SERVER_FIELD, ctx: ctx(NEW, SONIC_ALLOC), cls: 'sonic-string-pinning', fn: `${GEN}.(*Request).FastReadField2` },
    { name: 'barrier bug: input buffers on netpoll v0.2.4', frames: INPUT_BOOK_V024, mean: 512 * 1024, ctx: ctx(OLD), cls: 'netpoll-barrier-leak', fn: `${NP}.(*LinkBuffer).book`, summary: /netpoll v0\.2\.4/ },
    { name: 'same stack on v0.7.2, huge objects: oversized requests', frames: INPUT_BOOK_V072, mean: 8 * 1024 * 1024, ctx: ctx(NEW), cls: 'oversized-requests', fn: `${NP}.(*UnsafeLinkBuffer).book` },
    { name: 'same stack on v0.7.2, small objects: nothing known', frames: INPUT_BOOK_V072, mean: 8192, ctx: ctx(NEW), cls: 'unclassified-growth', fn: `${BG}/lang/dirtmake.Bytes` },
    // netpoll v0.6.1 reads fields of 64 B or more out of nodes of at most 32 KiB without a copy.
    { name: 'v0.6.1 input buffers in a server: a request field read without a copy', frames: INPUT_BOOK_V061, mean: 16384, ctx: ctx(V010, SERVER_FRAMES), cls: 'server-request-field-held', fn: `${NP}.(*UnsafeLinkBuffer).book`, summary: /^server keeps a field of a Request that netpoll v0\.6\.1 read without a copy \(field id not visible: the memory is the connection's read buffer/ },
    { name: 'v0.6.1 input buffers in a process that calls Kitex: a response field', frames: INPUT_BOOK_V061, mean: 16384, ctx: ctx(V010, [...SERVER_FRAMES, ...CLIENT_FRAMES]), cls: 'client-response-field-held', fn: /book$/, summary: /^client keeps a field of a Response that netpoll v0\.6\.1 read without a copy/ },
    { name: 'v0.6.1 input buffers with Sonic decoding in the process: Sonic pins the field', frames: INPUT_BOOK_V061, mean: 16384, ctx: ctx(V010, [...SERVER_FRAMES, ...SONIC_ALLOC]), cls: 'sonic-string-pinning', fn: /book$/, summary: /^a field that netpoll v0\.6\.1 read without a copy is kept alive through strings Sonic decoded from it/ },
    { name: 'v0.6.1 nodes over 32 KiB are copied out of: nothing known', frames: INPUT_BOOK_V061, mean: 64 * 1024, ctx: ctx(V010, SERVER_FRAMES), cls: 'unclassified-growth', fn: `${BG}/lang/mcache.init.0.func1` },
    { name: 'v0.6.1, huge objects: still oversized requests', frames: INPUT_BOOK_V061, mean: 8 * 1024 * 1024, ctx: ctx(V010, SERVER_FRAMES), cls: 'oversized-requests', fn: /book$/ },
    { name: 'v0.7.2 copies what it reads: small input buffers in a server are not a field', frames: INPUT_BOOK_V072, mean: 16384, ctx: ctx(NEW, SERVER_FRAMES), cls: 'unclassified-growth', fn: `${BG}/lang/dirtmake.Bytes` },
    ...[[`${CAT}.(*PutItemRequest).FastReadField5`], [`${CAT}.(*Item).FastReadField4`, `${CAT}.(*Item).FastRead`, `${CAT}.(*PutItemRequest).FastReadField3`]].map((field) => ({
      name: `span cache buffer started by ${field[0]!.replace(/.*\./, '')}: one site, named by the message`,
      frames: SPAN_SERVER(field),
      mean: 1024 * 1024,
      ctx: ctx(V010, SERVER_FRAMES),
      cls: 'server-request-field-held',
      fn: `${KX}/pkg/mem.(*span).Make`,
      summary: /^server keeps a field of PutItemRequest copied into Kitex's span cache \(field id not visible: strings of one size are copied into shared 1 MiB buffers/,
    })),
    { name: 'no version in filenames: >= v0.6.1 from names is not v0.6.1', frames: INPUT_BOOK_V061, mean: 16384, ctx: ctx({}, [`${NP}.(*UnsafeLinkBuffer).book`, ...SERVER_FRAMES]), cls: 'unclassified-growth', fn: `${BG}/lang/mcache.init.0.func1` },
    { name: 'no version in filenames: UnsafeLinkBuffer implies >= v0.6.1', frames: INPUT_BOOK_V072, mean: 8 * 1024 * 1024, ctx: ctx({}, [`${NP}.(*UnsafeLinkBuffer).book`]), cls: 'oversized-requests', fn: /book$/ },
    { name: 'server-side connections pile up', frames: SERVER_CONN, mean: 8192, ctx: ctx(NEW), cls: 'idle-connections', fn: `${NP}.(*connection).init` },
    { name: 'client connections alone: idle connections', frames: CLIENT_CONN, ctx: ctx(NEW), cls: 'idle-connections', fn: `${NP}.(*connection).init` },
    { name: 'client connections while clients are created: duplicate clients', frames: CLIENT_CONN, ctx: ctx(NEW, [], [LBCACHE]), cls: 'duplicate-clients', fn: /remotecli\.NewClient|connpool/ },
    { name: 'lbcache growth', frames: LBCACHE, ctx: ctx(NEW), cls: 'duplicate-clients', fn: `${KX}/client.(*kClient).initLBCache.discoveryEventHandler.func5` },
    { name: 'Kitex client options per NewClient', frames: [`${KX}/internal/client.NewOptions`, `${KX}/client.NewClient`, `${GEN}/echo.NewClient`, 'main.handler'], ctx: ctx(NEW), cls: 'duplicate-clients', fn: `${KX}/internal/client.NewOptions` },
    { name: 'business code', frames: ['main.(*sessionStore).remember', 'main.handle', 'net/http.HandlerFunc.ServeHTTP'], ctx: ctx(NEW), cls: 'unclassified-growth', fn: 'main.(*sessionStore).remember', summary: /^main\.\(\*sessionStore\)\.remember keeps allocating/ },
    // Allocated by a standard-library helper (frames from the shapes program's -via series): the owner is the first frame outside it.
    {
      name: 'fmt.Sprintf for business code: its caller owns it',
      frames: ['fmt.Sprintf', 'main.(*auditTrail).append', 'main.(*auditTrail).retain', 'main.run'],
      ctx: ctx(NEW),
      cls: 'unclassified-growth',
      fn: 'main.(*auditTrail).append',
      summary: /^main\.\(\*auditTrail\)\.append keeps allocating memory that stays in use \(allocated in fmt\.Sprintf\)$/,
    },
    {
      name: 'strings.Repeat, through a strings.Builder, for business code',
      frames: ['internal/bytealg.MakeNoZero', 'strings.(*Builder).grow', 'strings.(*Builder).Grow', 'strings.Repeat', 'main.(*sessionCache).admit', 'main.(*sessionCache).step', 'main.run'],
      ctx: ctx(NEW),
      cls: 'unclassified-growth',
      fn: 'main.(*sessionCache).admit',
      summary: /\(allocated in internal\/bytealg\.MakeNoZero\)$/,
    },
    {
      name: 'encoding/json for a module named without a dot',
      frames: [
        'encoding/json.(*decodeState).literalStore',
        'encoding/json.(*decodeState).value',
        'encoding/json.(*decodeState).object',
        'encoding/json.(*decodeState).value',
        'encoding/json.(*decodeState).unmarshal',
        'encoding/json.Unmarshal',
        'inventory/store.(*Store).Put',
        'main.handle',
      ],
      ctx: ctx(NEW),
      cls: 'unclassified-growth',
      fn: 'inventory/store.(*Store).Put',
    },
    // Only the standard library (net/http's dial goroutine, from the libleaks program's transport per call): the first frame outside its helpers.
    {
      name: 'only the standard library: the component that keeps it',
      frames: ['bufio.NewReaderSize', 'net/http.(*Transport).dialConn', 'net/http.(*Transport).dialConnFor', 'net/http.(*Transport).queueForDial.gowrap1'],
      ctx: ctx(NEW),
      cls: 'unclassified-growth',
      fn: 'net/http.(*Transport).dialConn',
      summary: /^net\/http\.\(\*Transport\)\.dialConn keeps allocating memory that stays in use \(allocated in bufio\.NewReaderSize\)$/,
    },
    // The same leak's goroutine descriptors: only the runtime, starting a goroutine.
    {
      name: 'goroutine descriptors: goroutines piling up',
      frames: ['runtime.mallocgc', 'runtime.newobject', 'runtime.malg', 'runtime.newproc1', 'runtime.newproc.func1', 'runtime.systemstack'],
      ctx: ctx(NEW),
      cls: 'unclassified-growth',
      fn: 'runtime.newproc1',
      summary: /^goroutines keep being started and never exit: their descriptors stay in use/,
    },
    { name: 'the allgs slice: goroutines piling up too', frames: ['runtime.mallocgc', 'runtime.growslice', 'runtime.allgadd', 'runtime.newproc1', 'runtime.newproc.func1', 'runtime.systemstack'], ctx: ctx(NEW), cls: 'unclassified-growth', fn: 'runtime.newproc1' },
    // A dependency's frame owns it (client_golang under label cardinality growth, held-out round 63): the finding names the application's caller too.
    {
      name: "a dependency's allocation: its frame, called from the application",
      frames: [
        'github.com/prometheus/client_golang/prometheus.newHistogram',
        'github.com/prometheus/client_golang/prometheus.(*metricMap).getOrCreateMetricWithLabelValues',
        'github.com/prometheus/client_golang/prometheus.(*HistogramVec).WithLabelValues',
        'main.(*meter).observe',
        'main.(*service).run',
      ],
      ctx: ctx({ 'github.com/prometheus/client_golang': 'v1.25.0' }),
      cls: 'unclassified-growth',
      fn: 'github.com/prometheus/client_golang/prometheus.newHistogram',
      summary: /^github\.com\/prometheus\/client_golang\/prometheus\.newHistogram keeps allocating memory that stays in use \(called from main\.\(\*meter\)\.observe\)$/,
    },
    {
      name: "a dependency's allocation through a helper, called from an application package of a module",
      frames: ['strings.Repeat', 'github.com/patrickmn/go-cache.(*cache).Set', 'github.com/patrickmn/go-cache.(*cache).SetDefault', 'sync.(*Once).Do', 'example.com/shop/tokens.(*Store).Issue', 'main.main'],
      ctx: ctx({ 'github.com/patrickmn/go-cache': 'v2.1.0+incompatible' }),
      cls: 'unclassified-growth',
      fn: 'github.com/patrickmn/go-cache.(*cache).Set',
      summary: /\(allocated in strings\.Repeat; called from example\.com\/shop\/tokens\.\(\*Store\)\.Issue\)$/,
    },
    { name: 'only standard-library helpers: the leaf', frames: ['bytes.growSlice', 'bytes.(*Buffer).grow', 'bytes.(*Buffer).Write', 'sync.(*Pool).Get'], ctx: ctx(NEW), cls: 'unclassified-growth', fn: 'bytes.growSlice', summary: /^bytes\.growSlice keeps allocating memory that stays in use$/ },
    {
      name: 'barrier bug, NoCopy response: handler allocation on v0.3.2',
      frames: ['main.(*EchoServiceImpl).Echo', 'heapwatch.test/kitexold/echo032/kitex_gen/echo/echoservice.echoHandler', `${KX}/server.(*server).invokeHandleEndpoint.func1`],
      ctx: ctx(OLD),
      cls: 'netpoll-barrier-leak',
      fn: `${KX}/server.(*server).invokeHandleEndpoint.func1`,
    },
    {
      name: 'the same handler allocation on a fixed netpoll: business code',
      frames: ['main.(*EchoServiceImpl).Echo', `${GEN}/echo.echoHandler`, `${KX}/server.(*server).unaryOrStreamEndpoint.(*server).invokeHandleEndpoint.func3`],
      ctx: ctx(NEW),
      cls: 'unclassified-growth',
      fn: 'main.(*EchoServiceImpl).Echo',
    },
    // Every codec Kitex ships: a field id where a frame carries it, else the decoder and why.
    { name: 'FastRead, list<string> field 5', frames: FASTREAD_LIST, ctx: ctx(NEW), cls: 'server-request-field-held', fn: `${CAT}.(*PutItemRequest).FastReadField5`, summary: /^server keeps PutItemRequest field 5 \(Kitex\)$/ },
    {
      name: 'apache Read, nested binary field: innermost field and its path',
      frames: APACHE_NESTED_BINARY,
      ctx: ctx(NEW),
      cls: 'client-response-field-held',
      fn: `${CAT}.(*Item).ReadField7`,
      summary: /^client keeps Item field 7, inside PutItemResponse field 6 \(Kitex\)$/,
    },
    {
      name: 'frugal: no field frames, the decoder is named',
      frames: FRUGAL_SERVER,
      ctx: ctx(NEW),
      cls: 'server-request-field-held',
      fn: 'github.com/cloudwego/frugal/internal/reflect.(*tDecoder).Malloc',
      summary: /^server keeps a field decoded by frugal \(field id not visible: decoded by frugal's reflection decoder, which has no per-field frames\) \(Kitex\)$/,
    },
    {
      name: 'protobuf (prutal): the generated wrapper struct and the decoder',
      frames: PROTOBUF_SERVER,
      ctx: ctx(NEW),
      cls: 'server-request-field-held',
      fn: 'github.com/cloudwego/prutal/internal/prutal.(*Decoder).Malloc',
      summary: /^server keeps a field of ReserveArgs decoded by prutal \(field id not visible: decoded by prutal's reflection decoder/,
    },
    {
      name: 'gRPC (nphttp2) server: the request message decoded in the handler',
      frames: GRPC_SERVER,
      ctx: ctx(NEW),
      cls: 'server-request-field-held',
      fn: /prutal\.\(\*Decoder\)\.Malloc$/,
      summary: /^server keeps a field of ReserveRequest decoded by prutal .*\(Kitex, gRPC\)$/,
    },
    { name: 'gRPC (nphttp2) client', frames: GRPC_CLIENT, ctx: ctx(NEW), cls: 'client-response-field-held', fn: /prutal\.\(\*Decoder\)\.Malloc$/, summary: /^client keeps a field of ReserveResult decoded by prutal .*\(Kitex, gRPC\)$/ },
    {
      name: 'map generic server',
      frames: GENERIC_MAP_SERVER,
      ctx: ctx(NEW),
      cls: 'server-request-field-held',
      fn: `${KX}/pkg/generic/thrift.readString`,
      summary: /^server keeps a field decoded by the Kitex generic codec \(field id not visible: decoded by the Kitex generic codec from the IDL at run time/,
    },
    {
      name: 'binary generic server: its own payload codec, the raw message kept',
      frames: GENERIC_BINARY_SERVER,
      ctx: ctx(NEW),
      cls: 'server-request-field-held',
      fn: `${KX}/pkg/generic.(*binaryThriftCodec).Unmarshal`,
      summary: /^server keeps part of a raw message from Kitex binary generic \(field id not visible: the message is passed on as raw bytes and never decoded into fields\) \(Kitex\)$/,
    },
    { name: 'JSON generic client', frames: GENERIC_JSON_CLIENT, ctx: ctx(NEW), cls: 'client-response-field-held', fn: `${KX}/pkg/generic/thrift.(*ReadJSON).originalRead` },
    { name: 'frugal-decoded field + Sonic decoding in the process', frames: FRUGAL_SERVER, ctx: ctx(NEW, SONIC_ALLOC), cls: 'sonic-string-pinning', fn: /frugal\/internal\/reflect/ },
    {
      name: 'a reader above the codec entry is not taken for the message struct',
      frames: [...FRUGAL_DECODE, `${KX}/pkg/remote/codec/thrift.frugalUnmarshal`, `${KX}/pkg/remote/codec/thrift.thriftCodec.Unmarshal`, 'main.(*Reader).Read', ...SERVER_READ],
      ctx: ctx(NEW),
      cls: 'server-request-field-held',
      fn: FRUGAL_DECODE[0]!,
      summary: /^server keeps a field decoded by frugal /,
    },
    { name: 'frugal called by business code, not by a Kitex codec: nothing known', frames: [...FRUGAL_DECODE, 'main.loadSnapshot', 'main.main'], ctx: ctx(NEW), cls: 'unclassified-growth', fn: FRUGAL_DECODE[0]! },
    { name: 'fastpb bytes field 7', frames: FASTPB_BYTES_SERVER, ctx: ctx(OLD_CODECS), cls: 'server-request-field-held', fn: `${INV_OLD}.(*ReserveRequest).fastReadField7`, summary: /^server keeps ReserveRequest field 7 \(Kitex\)$/ },
    {
      name: 'gRPC server (decoded in the handler), fastpb nested field',
      frames: FASTPB_GRPC_SERVER,
      ctx: ctx(OLD_CODECS),
      cls: 'server-request-field-held',
      fn: `${INV_OLD}.(*Lot).fastReadField3`,
      summary: /^server keeps Lot field 3, inside ReserveRequest field 4 \(Kitex, gRPC\)$/,
    },
    {
      name: 'frugal JIT: the stable JIT package frame, not the address-named generated code',
      frames: FRUGAL_JIT_SERVER,
      ctx: ctx(OLD_CODECS),
      cls: 'server-request-field-held',
      fn: 'github.com/cloudwego/frugal/internal/jit/decoder.decode',
      summary: /^server keeps a field decoded by frugal \(field id not visible: decoded by frugal's JIT decoder, whose generated code shows as \(frugal\)\.decoder_<address> frames/,
    },
    { name: 'fastpb-decoded field + Sonic decoding in the process', frames: FASTPB_BYTES_SERVER, ctx: ctx(OLD_CODECS, SONIC_ALLOC), cls: 'sonic-string-pinning', fn: /fastReadField7$/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = classifyStack({ frames: c.frames, growthBytes: 1e7, meanObjectBytes: c.mean ?? 4096 }, c.ctx);
      assert.equal(r.classId, c.cls);
      if (typeof c.fn === 'string') assert.equal(r.facts.function, c.fn);
      else assert.match(r.facts.function, c.fn);
      if (c.summary) assert.match(r.cls.summary(r.facts), c.summary);
    });
  }
});
