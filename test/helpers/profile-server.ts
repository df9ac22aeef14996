/**
 * Serves real recorded profile series over loopback, as a fleet of Go
 * services would: `/t/<n>/debug/pprof/heap` answers with the next profile of
 * target n's series (wrapping around). Used where a test needs a target whose
 * behaviour is a known recorded series (a vulnerable netpoll version, a
 * fleet for soak and benchmarks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface ProfileServer {
  /** URL of target n's heap endpoint. */
  targetUrl(n: number): string;
  requests: number;
  close(): Promise<void>;
}

/** Loads the .pb.gz files of a series folder, in name order. */
export function loadSeries(dir: string): Buffer[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pb.gz'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

/** `seriesFor(n)` gives target n's profiles; each request serves the next one. */
export async function startProfileServer(seriesFor: (n: number) => readonly Buffer[]): Promise<ProfileServer> {
  const cursor = new Map<number, number>();
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    const m = /^\/t\/(\d+)\/debug\/pprof\/heap(?:\?.*)?$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const n = Number(m[1]);
    const series = seriesFor(n);
    if (series.length === 0) return void res.writeHead(404).end();
    const i = cursor.get(n) ?? 0;
    cursor.set(n, (i + 1) % series.length);
    state.requests++;
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(series[i]);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    targetUrl: (n) => `http://127.0.0.1:${port}/t/${n}/debug/pprof/heap`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
