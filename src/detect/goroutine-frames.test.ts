import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProfileFast } from '../pprof/fast-decode.js';
import { stackCount, stackFrames } from '../pprof/profile.js';
import { FIXTURES } from '../../test/helpers/paths.js';
import { formatGoroutineRate, goroutineFacts, goroutineKey } from './goroutine-frames.js';

// Stacks as the real fixtures show them (test/fixtures/goroutine/README.md), leaf first.
const CHAN_SEND = ['runtime.gopark', 'runtime.chansend', 'runtime.chansend1', 'main.lookupBackend'];
const MUTEX = [
  'runtime.gopark',
  'runtime.goparkunlock',
  'runtime.semacquire1',
  'internal/sync.runtime_SemacquireMutex',
  'internal/sync.(*Mutex).lockSlow',
  'internal/sync.(*Mutex).Lock',
  'sync.(*Mutex).Lock',
  'main.(*account).withdraw',
];
const READ_LOOP = ['runtime.gopark', 'runtime.selectgo', 'net/http.(*persistConn).readLoop'];
const CONN = ['runtime.gopark', 'runtime.netpollblock', 'internal/poll.runtime_pollWait', 'internal/poll.(*pollDesc).wait', 'internal/poll.(*pollDesc).waitRead', 'internal/poll.(*FD).Read', 'net.(*netFD).Read', 'net.(*conn).Read', 'bufio.(*Reader).fill', 'main.handleConn'];
const KITEX = [
  'runtime.gopark',
  'runtime.chanrecv',
  'runtime.chanrecv1',
  'main.(*enrichingEcho).Echo',
  'heapwatch.test/fixtures/goroutine/kitex_gen/echo/echo.echoHandler',
  'github.com/cloudwego/kitex/pkg/remote/trans/netpoll.(*transServer).onConnRead',
  'github.com/cloudwego/netpoll.(*connection).onProcess.func1',
  'github.com/bytedance/gopkg/util/gopool.(*worker).run.func1',
];

describe('goroutineFacts', () => {
  it('reads the wait, the blocking frame, the function and the start of each real shape', () => {
    assert.deepEqual(pick(goroutineFacts(CHAN_SEND)), { op: 'chan send', blocking: 'chan send', function: 'main.lookupBackend', startedBy: 'main.lookupBackend', pattern: undefined });
    assert.deepEqual(pick(goroutineFacts(MUTEX)), { op: 'mutex lock', blocking: 'sync.(*Mutex).Lock', function: 'main.(*account).withdraw', startedBy: 'main.(*account).withdraw', pattern: undefined });
    assert.deepEqual(pick(goroutineFacts(READ_LOOP)), {
      op: 'select',
      blocking: 'net/http.(*persistConn).readLoop',
      function: 'net/http.(*persistConn).readLoop',
      startedBy: 'net/http.(*persistConn).readLoop',
      pattern: 'http-transport-conn',
    });
    assert.deepEqual(pick(goroutineFacts(CONN)), { op: 'IO wait', blocking: 'net.(*netFD).Read', function: 'main.handleConn', startedBy: 'main.handleConn', pattern: undefined });
    assert.deepEqual(pick(goroutineFacts(KITEX)), {
      op: 'chan receive',
      blocking: 'chan receive',
      function: 'main.(*enrichingEcho).Echo',
      startedBy: 'github.com/bytedance/gopkg/util/gopool.(*worker).run.func1',
      pattern: 'kitex-server-handler',
    });
    // On the multiplexed transport: the frames between the handler and the
    // gopool worker as a real netpollmux server's heap stacks show them.
    const mux = [
      ...KITEX.slice(0, 5),
      'github.com/cloudwego/kitex/pkg/remote/trans/netpollmux.(*svrTransHandler).task',
      'github.com/cloudwego/kitex/pkg/remote/trans/netpollmux.(*svrTransHandler).OnRead.func1',
      'github.com/cloudwego/kitex/pkg/gofunc.init.0.func1.1',
      'github.com/bytedance/gopkg/util/gopool.(*worker).run.func1.1',
      'github.com/bytedance/gopkg/util/gopool.(*worker).run.func1',
    ];
    assert.equal(goroutineFacts(mux).pattern?.id, 'kitex-server-handler');
    assert.equal(goroutineFacts(mux).function, 'main.(*enrichingEcho).Echo');
    assert.equal(goroutineFacts(mux.filter((f) => !f.includes('netpollmux'))).pattern, undefined);
    assert.equal(goroutineFacts(['runtime.gopark', 'time.Sleep', 'main.shortTask']).blocking, 'time.Sleep');
    assert.equal(goroutineFacts(['main.spin']).op, 'running');
  });

  it('gives a fix per wait, and a pattern fix before it', () => {
    assert.match(goroutineFacts(MUTEX).fix, /defer mu\.Unlock\(\)/);
    assert.match(goroutineFacts(READ_LOOP).fix, /resp\.Body/);
    assert.match(goroutineFacts(KITEX).fix, /ctx\.Done\(\)/);
  });

  it('keys piles by wait, function and start, so two functions blocked on one lock are two piles', () => {
    const deposit = MUTEX.map((f) => f.replace('withdraw', 'deposit'));
    assert.notEqual(goroutineKey(goroutineFacts(MUTEX)), goroutineKey(goroutineFacts(deposit)));
    assert.equal(goroutineKey(goroutineFacts(CHAN_SEND)), goroutineKey(goroutineFacts([...CHAN_SEND])));
  });
});

describe('goroutine patterns on a real Kitex v0.16.3 server (test/fixtures/goroutine-corpus)', () => {
  it('recognises the handler on a gopool worker and the server\'s one-per-server goroutines', () => {
    const file = join(FIXTURES, 'goroutine-corpus', 'leak-kitex-handler-chan-recv', 'profiles', '0000.pb.gz');
    const { profile } = decodeProfileFast(readFileSync(file), { maxDecompressedBytes: 1 << 24 });
    const seen = new Map<string, string>();
    for (let i = 0; i < stackCount(profile); i++) {
      const facts = goroutineFacts(Array.from(stackFrames(profile, i), (f) => profile.functions[f]!.name));
      if (facts.pattern) seen.set(facts.pattern.id, facts.function);
    }
    assert.deepEqual(Object.fromEntries([...seen].sort()), {
      'kitex-server-handler': 'main.(*enrichingEcho).Echo',
      'kitex-server-wait-exit': 'github.com/cloudwego/kitex/server.(*server).waitExit',
      'netpoll-event-loop': 'github.com/cloudwego/netpoll.(*eventLoop).waitQuit',
      'netpoll-poller': 'github.com/cloudwego/netpoll.EpollWait',
    });
  });
});

describe('formatGoroutineRate', () => {
  it('says per minute from one a minute, else per hour', () => {
    assert.equal(formatGoroutineRate(1200), '+20 goroutines/min');
    assert.equal(formatGoroutineRate(180), '+3.0 goroutines/min');
    assert.equal(formatGoroutineRate(29), '+29 goroutines/h');
    assert.equal(formatGoroutineRate(6), '+6.0 goroutines/h');
  });
});

function pick(f: ReturnType<typeof goroutineFacts>): Record<string, unknown> {
  return { op: f.op, blocking: f.blocking, function: f.function, startedBy: f.startedBy, pattern: f.pattern?.id };
}
