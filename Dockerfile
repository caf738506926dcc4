# Nachfass worker and link server, for docker-compose.yml (see docs/docker.md).
# Two stages: `build` compiles the TypeScript and prebuilds the workflow bundle (`npm run build`, dev dependencies);
# the runtime stage has only the production dependencies and the compiled dist/, and runs it with plain node.

FROM node:20-bookworm-slim AS build
WORKDIR /src
# Exactly the committed lock file (it lists every platform's optional native binaries; npm installs only this one's).
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY workflows/ workflows/
COPY activities/ activities/
COPY worker/ worker/
COPY templates/ templates/
COPY scripts/ scripts/
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force
# The compiled code with its workflow bundle, the policy files, the search attribute list, and the admin CLI
# (`docker compose exec worker node bin/nachfass.js --help`, which runs the compiled CLI here).
COPY --from=build /src/dist/ dist/
COPY policy/ policy/
COPY stack/ stack/
COPY bin/ bin/

# Files stay root-owned and read-only for the process.
USER node
EXPOSE 3000 8081
# SIGTERM (docker stop): the process exits within SHUTDOWN_GRACE (default 10s, docker's default stop timeout).
# As npm start runs it: a heap limit for both threads, and malloc returning large freed blocks (package.json).
ENV MALLOC_MMAP_THRESHOLD_=65536 MALLOC_TRIM_THRESHOLD_=131072
CMD ["node", "--max-old-space-size=256", "dist/worker/main.js"]
