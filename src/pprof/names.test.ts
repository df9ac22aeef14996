import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, dropTypeParameters, isDependency, isStandardHelper, isStandardLibrary, moduleFromFilename } from './names.js';

describe('dropTypeParameters', () => {
  it('drops Go type parameters, nested ones too', () => {
    assert.equal(dropTypeParameters('main.Map[...].Get'), 'main.Map.Get');
    assert.equal(dropTypeParameters('pkg.F[map[string]int,go.shape.int]'), 'pkg.F');
    assert.equal(dropTypeParameters('pkg.(*Cache[...]).Put.func1'), 'pkg.(*Cache).Put.func1');
    assert.equal(dropTypeParameters('main.plain'), 'main.plain');
  });
});

describe('moduleFromFilename', () => {
  it('reads -trimpath filenames', () => {
    assert.deepEqual(moduleFromFilename('github.com/cloudwego/netpoll@v0.2.4/nocopy_linkbuffer.go'), {
      path: 'github.com/cloudwego/netpoll',
      version: 'v0.2.4',
    });
  });
  it('reads module-cache filenames and unescapes upper case', () => {
    assert.deepEqual(moduleFromFilename('/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go'), {
      path: 'github.com/BurntSushi/toml',
      version: 'v1.2.0',
    });
  });
  it('reads pseudo-versions and +incompatible', () => {
    assert.equal(moduleFromFilename('github.com/bytedance/gopkg@v0.0.0-20240507064146-197ded923ae3/lang/mcache/mcache.go')?.version, 'v0.0.0-20240507064146-197ded923ae3');
    assert.equal(moduleFromFilename('github.com/x/y@v2.0.0+incompatible/a.go')?.version, 'v2.0.0+incompatible');
  });
  it('has no version for vendor, main-module and stdlib files', () => {
    assert.equal(moduleFromFilename('/src/app/vendor/github.com/cloudwego/netpoll/nocopy.go'), undefined);
    assert.equal(moduleFromFilename('example.com/app/main.go'), undefined);
    assert.equal(moduleFromFilename('runtime/proc.go'), undefined);
  });
});

describe('compareVersions', () => {
  it('orders releases, pre-releases and pseudo-versions', () => {
    assert.equal(compareVersions('v0.2.4', 'v0.2.5'), -1);
    assert.equal(compareVersions('v0.10.0', 'v0.9.9'), 1);
    assert.equal(compareVersions('v0.2.5-rc1', 'v0.2.5'), -1);
    assert.equal(compareVersions('v0.2.5', 'v0.2.5'), 0);
    assert.equal(compareVersions('v0.0.0-20220413063733-abc', 'v0.1.0'), -1);
  });
});

describe('isDependency', () => {
  it("tells a module-cache dependency's functions from the application's and the standard library's", () => {
    const modules = new Map([['google.golang.org/grpc', 'v1.85.0'], ['github.com/cloudwego/kitex', 'v0.16.3']]);
    for (const f of ['google.golang.org/grpc.NewClient', 'google.golang.org/grpc/internal/transport.NewHTTP2Client', 'github.com/cloudwego/kitex/pkg/remote.(*message).Tags', 'google.golang.org/grpc.(*Slice[...]).Add']) {
      assert.ok(isDependency(f, modules), f);
    }
    for (const f of ['main.handle', 'google.golang.org/grpcx.Dial', 'github.com/cloudwego/kitexx.New', 'net/http.(*Transport).dialConn', 'example.com/shop/tokens.(*Store).Issue']) {
      assert.ok(!isDependency(f, modules), f);
    }
    assert.ok(!isDependency('google.golang.org/grpc.NewClient', new Map()));
  });
});

describe('isStandardHelper', () => {
  it("tells the standard library's value-building helpers from its components and from everything else", () => {
    for (const f of ['bufio.NewReaderSize', 'bytes.(*Buffer).grow', 'internal/bytealg.MakeNoZero', 'encoding/json.Unmarshal', 'io.ReadAll', 'strings.Repeat', 'sync.(*Pool).Get', 'slices.Grow[...]', 'runtime.malg']) {
      assert.ok(isStandardHelper(f), f);
    }
    for (const f of ['net/http.(*Transport).dialConn', 'context.WithCancel', 'crypto/tls.(*Conn).readRecord', 'time.newTimer', 'main.handle', 'github.com/cloudwego/netpoll.(*connection).init', 'billing.(*Ledger).Add']) {
      assert.ok(!isStandardHelper(f), f);
    }
  });
});

describe('isStandardLibrary', () => {
  it('tells the standard library from main and modules', () => {
    for (const f of ['sync.(*Mutex).Lock', 'net/http.(*persistConn).readLoop', 'time.Sleep', 'bufio.(*Reader).fill', 'internal/bytealg.MakeNoZero', 'slices.Insert[...]', 'vendor/golang.org/x/net/http2/hpack.(*Decoder).Write']) {
      assert.ok(isStandardLibrary(f), f);
    }
    for (const f of [
      'main.handleConn',
      'github.com/cloudwego/netpoll.(*eventLoop).waitQuit',
      'golang.org/x/net/http2.(*serverConn).serve',
      'example.com/a.b',
      // A module named without a dot: its packages are the application's.
      'inventory/store.(*Store).Put',
      'billing.(*Ledger).Add',
    ]) {
      assert.ok(!isStandardLibrary(f), f);
    }
  });
});
