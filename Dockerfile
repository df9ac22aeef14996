# heapwatch daemon image.
#
#   docker build -t heapwatch .
#   docker run -p 127.0.0.1:9464:9464 -v heapwatch-data:/var/lib/heapwatch \
#     -v "$PWD/my-heapwatch.yaml:/etc/heapwatch/heapwatch.yaml:ro" heapwatch
#
# Stage 1 compiles better-sqlite3's native addon from source (python3, make,
# g++ against the image's own Node headers: nothing is downloaded besides the
# npm packages) and the TypeScript, then drops the dev dependencies. Stage 2
# is the slim runtime: the same Node major and Debian release, so the addon
# built in stage 1 loads there.

FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
# Dependencies first (cached until package*.json change). --ignore-scripts
# skips `prepare` (the sources are not here yet) and better-sqlite3's install
# script, which would try a prebuilt binary first. Its build-release script
# compiles the addon from source with npm's node-gyp, against the headers
# shipped in this image (--nodedir: nothing to download).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
 && (cd node_modules/better-sqlite3 && npm run build-release -- --nodedir=/usr/local) \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY tsconfig.build.json ./
COPY src/ src/
COPY web/ web/
# Only the daemon's sources (tsconfig.build.json leaves tests out). Then drop
# the dev dependencies and better-sqlite3's build leftovers (SQLite sources,
# object files): the runtime needs build/Release/better_sqlite3.node.
RUN npx tsc -p tsconfig.build.json && node scripts/copy-assets.mjs && node scripts/build-web.mjs \
 && npm prune --omit=dev \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src build/Release/obj build/Release/obj.target build/Release/.deps \
      build/Release/sqlite3.a build/Release/test_extension.node \
 && cd /src \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# A fixed numeric, non-root user (orchestrators' runAsNonRoot checks need a number).
RUN groupadd --system --gid 10001 heapwatch \
 && useradd --system --uid 10001 --gid heapwatch --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin heapwatch \
 && mkdir -p /var/lib/heapwatch /etc/heapwatch \
 && chown heapwatch:heapwatch /var/lib/heapwatch
WORKDIR /app
# package.json carries "type": "module", which the compiled ESM needs.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
# The web UI's bundle (uPlot, d3-flame-graph and the pages), served by the daemon.
COPY --from=build /src/dist/web ./dist/web
COPY config/docker/heapwatch.yaml /etc/heapwatch/heapwatch.yaml
USER 10001:10001
# The SQLite database (and its -wal/-shm files) lives here; the directory is
# owned by the heapwatch user, so a fresh named volume inherits that owner.
VOLUME /var/lib/heapwatch
EXPOSE 9464
# slim has no curl: Node's own fetch probes the unauthenticated /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run", "--config", "/etc/heapwatch/heapwatch.yaml"]
