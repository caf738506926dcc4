# Nachfass worker and link server (`npm start`), for docker-compose.yml (see docs/docker.md).
# TypeScript runs through tsx, a runtime dependency: there is no build step.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them: exactly the committed lock file
# (it lists every platform's optional native binaries; npm installs only this platform's).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# The code `npm start` runs, the policy files, the search attribute list, and the admin CLI
# (`docker compose exec worker node bin/nachfass.js --help`).
COPY tsconfig.json ./
COPY workflows/ workflows/
COPY activities/ activities/
COPY worker/ worker/
COPY templates/ templates/
COPY policy/ policy/
COPY stack/ stack/
COPY bin/ bin/

# Files stay root-owned and read-only for the process.
USER node
EXPOSE 3000 8081
CMD ["npm", "start"]
