# syntax=docker/dockerfile:1
# The payments API in a container: compiled with the full toolchain, run with production
# dependencies only, as the unprivileged `node` user. Configure it with environment variables
# (README, "Configuration"); NODE_ENV=production requires STRIPE_SECRET_KEY and API_KEYS.

ARG NODE_IMAGE=node:20-slim

# better-sqlite3 is a native addon: where no prebuilt binary can be fetched, npm compiles it,
# which needs python3, make and g++. They stay in the build stages, out of the runtime image.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# TypeScript to dist/ (tsc rewrites the `.ts` import extensions to `.js`).
FROM toolchain AS build
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM toolchain AS production-deps
RUN npm ci --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=3000 \
  DATA_DIR=/app/data
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The SQLite ledger lives here when DATABASE_URL is unset; the volume keeps it across restarts.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# node:20-slim has no curl: node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 receives SIGTERM itself and shuts down gracefully (src/main.ts).
CMD ["node", "dist/main.js"]
