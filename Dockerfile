# syntax=docker/dockerfile:1

# --- build: compile TypeScript and the sqlite3 native addon, then drop dev dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# sqlite3 builds its native addon with node-gyp when no prebuilt binary fits.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json main.ts ./
COPY engine ./engine
COPY adapters ./adapters
COPY http ./http
COPY storage ./storage
RUN npm run build && npm prune --omit=dev

# --- runtime: only compiled code and production dependencies, as an unprivileged user ---
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# Inside the container the API must listen beyond loopback to be published, so config then
# requires API_TOKEN (docker-compose.yml insists on it).
ENV NODE_ENV=production \
    API_HOST=0.0.0.0 \
    DATABASE_URL=sqlite:////app/data/trading.db
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./package.json
# A fresh named volume takes this directory's owner, so the node user can write the database.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME /app/data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 8000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
