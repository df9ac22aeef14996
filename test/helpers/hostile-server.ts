/**
 * A loopback HTTP server with one misbehaving endpoint per fault, for the
 * bad-input and hostile-target tests. Every response is bounded; hanging
 * endpoints are released when the server closes.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FIXTURES, PROFILES } from './paths.js';

export const GOOD_PROFILE = readFileSync(`${PROFILES}grower.pb.gz`);

const routes: Record<string, (res: ServerResponse, socket: Socket) => void> = {
  '/good': (res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(GOOD_PROFILE),
  '/truncated': (res) => res.writeHead(200).end(GOOD_PROFILE.subarray(0, GOOD_PROFILE.length >> 1)),
  '/truncated-raw': (res) => {
    const raw = gunzipSync(GOOD_PROFILE);
    res.writeHead(200).end(raw.subarray(0, Math.floor(raw.length * 0.6)));
  },
  '/garbage': (res) => res.writeHead(200).end(Buffer.from('08960112ffffffff0f1337deadbeef', 'hex')),
  '/bomb': (res) => res.writeHead(200).end(BOMB),
  '/oversized': (res) => res.writeHead(200, { 'content-length': String(3 * 1024 * 1024) }).end(Buffer.alloc(3 * 1024 * 1024, 7)),
  '/oversized-chunked': (res) => {
    res.writeHead(200); // no Content-Length: chunked
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const pump = (): void => {
      while (sent < 3 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  },
  '/huge-chunked': (res) => {
    // 200 MB without Content-Length: only the streaming cap stops it.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const chunk = Buffer.alloc(256 * 1024, 7);
    const pump = (): void => {
      while (sent < 200 * 1024 * 1024 && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  },
  '/status-500': (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error'),
  '/html': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>login</body></html>'),
  '/html-octet': (res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('<!DOCTYPE html><html>oops</html>'),
  '/hang': () => {
    // Accepts the request and never answers.
  },
  '/slow-drip': (res) => {
    // A valid start, then one byte every 200 ms: only the overall deadline stops it.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed || i >= GOOD_PROFILE.length || i > 300) return void clearInterval(timer);
      res.write(GOOD_PROFILE.subarray(i, ++i));
    }, 200);
    res.once('close', () => clearInterval(timer));
  },
  '/headers-never-end': (_res, socket) => {
    // A status line, then a header every 200 ms, never the blank line.
    socket.write('HTTP/1.1 200 OK\r\n');
    let n = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || n > 300) return void clearInterval(timer);
      socket.write(`X-Filler-${n++}: ${'x'.repeat(20)}\r\n`);
    }, 200);
    socket.once('close', () => clearInterval(timer));
  },
  '/reset-mid-body': (res, socket) => {
    res.writeHead(200, { 'content-length': String(GOOD_PROFILE.length * 4) });
    res.write(GOOD_PROFILE.subarray(0, 500), () => socket.resetAndDestroy());
  },
  '/redirect-same-host': (res) => res.writeHead(302, { location: '/good' }).end(),
  '/redirect-other-host': (res, socket) => {
    // Same server, other origin: "localhost" is not "127.0.0.1".
    res.writeHead(302, { location: `http://localhost:${socket.localPort}/good` }).end();
  },
};

const BOMB = gzipSync(Buffer.alloc(256 * 1024 * 1024));

export interface HostileServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** TLS material for the https variant: a self-signed certificate for 127.0.0.1. */
export const TLS_CERT = `${FIXTURES}tls/cert.pem`;
export const TLS_OTHER_CA = `${FIXTURES}tls/other-ca.pem`;

export async function startHostileServer(options: { tls?: boolean } = {}): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const handler = (req: import('node:http').IncomingMessage, res: ServerResponse): void => {
    const route = routes[(req.url ?? '').split('?')[0]!];
    if (!route) return void res.writeHead(404).end();
    route(res, req.socket);
  };
  const server: Server = options.tls
    ? (createHttpsServer({ cert: readFileSync(TLS_CERT), key: readFileSync(`${FIXTURES}tls/key.pem`) }, handler))
    : createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
