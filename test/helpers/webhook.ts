/** A loopback webhook receiver that records what Alertmanager posts. */
import { createServer, type Server } from 'node:http';

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Webhook {
  url: string;
  /** Every alert received, with the receiver path it was posted to. */
  alerts: (AlertmanagerAlert & { path: string })[];
  close(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const alerts: Webhook['alerts'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: AlertmanagerAlert[] };
        for (const a of body.alerts ?? []) alerts.push({ ...a, path: req.url ?? '' });
      } catch {
        // Not JSON: ignore, the test asserts on what did arrive.
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    alerts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
