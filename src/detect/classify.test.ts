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
    { name: 'client keeps Response field 2', frames: CLIENT_FIELD, ctx: ctx(NEW), cls: 'client-response-field-held', fn: `${GEN}.(*Response).FastReadField2`, summary: /^client keeps Response field 2/ },
    { name: 'sonic: field growth + Sonic decoding in the process', frames: SERVER_FIELD, ctx: ctx(NEW, SONIC_ALLOC), cls: 'sonic-string-pinning', fn: `${GEN}.(*Request).FastReadField2` },
    { name: 'barrier bug: input buffers on netpoll v0.2.4', frames: INPUT_BOOK_V024, mean: 512 * 1024, ctx: ctx(OLD), cls: 'netpoll-barrier-leak', fn: `${NP}.(*LinkBuffer).book`, summary: /netpoll v0\.2\.4/ },
    { name: 'same stack on v0.7.2, huge objects: oversized requests', frames: INPUT_BOOK_V072, mean: 8 * 1024 * 1024, ctx: ctx(NEW), cls: 'oversized-requests', fn: `${NP}.(*UnsafeLinkBuffer).book` },
    { name: 'same stack on v0.7.2, small objects: nothing known', frames: INPUT_BOOK_V072, mean: 8192, ctx: ctx(NEW), cls: 'unclassified-growth', fn: `${BG}/lang/dirtmake.Bytes` },
    { name: 'no version in filenames: UnsafeLinkBuffer implies >= v0.6.1', frames: INPUT_BOOK_V072, mean: 8 * 1024 * 1024, ctx: ctx({}, [`${NP}.(*UnsafeLinkBuffer).book`]), cls: 'oversized-requests', fn: /book$/ },
    { name: 'server-side connections pile up', frames: SERVER_CONN, mean: 8192, ctx: ctx(NEW), cls: 'idle-connections', fn: `${NP}.(*connection).init` },
    { name: 'client connections alone: idle connections', frames: CLIENT_CONN, ctx: ctx(NEW), cls: 'idle-connections', fn: `${NP}.(*connection).init` },
    { name: 'client connections while clients are created: duplicate clients', frames: CLIENT_CONN, ctx: ctx(NEW, [], [LBCACHE]), cls: 'duplicate-clients', fn: /remotecli\.NewClient|connpool/ },
    { name: 'lbcache growth', frames: LBCACHE, ctx: ctx(NEW), cls: 'duplicate-clients', fn: `${KX}/client.(*kClient).initLBCache.discoveryEventHandler.func5` },
    { name: 'Kitex client options per NewClient', frames: [`${KX}/internal/client.NewOptions`, `${KX}/client.NewClient`, `${GEN}/echo.NewClient`, 'main.handler'], ctx: ctx(NEW), cls: 'duplicate-clients', fn: `${KX}/internal/client.NewOptions` },
    { name: 'business code', frames: ['main.(*sessionStore).remember', 'main.handle', 'net/http.HandlerFunc.ServeHTTP'], ctx: ctx(NEW), cls: 'unclassified-growth', fn: 'main.(*sessionStore).remember', summary: /^main\.\(\*sessionStore\)\.remember keeps allocating/ },
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
