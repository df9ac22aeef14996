// Bundles the web UI (web/src) with its libraries (uPlot, d3-flame-graph)
// into dist/web/app.js and app.css: served by the daemon itself, so the
// pages load nothing from anywhere else and work offline.
import { build } from 'esbuild';

await build({
  entryPoints: { app: 'web/src/main.ts' },
  outdir: 'dist/web',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  legalComments: 'eof',
  logLevel: 'warning',
});
