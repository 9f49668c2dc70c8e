# hardenctl as a container image, for the CronJob in manifests/ (docs/run-in-cluster.md):
#   docker build -t REGISTRY/hardenctl:TAG . && docker push REGISTRY/hardenctl:TAG
# Runs as the numeric user 65532 (the CronJob's runAsUser/runAsGroup) and writes nothing, so it
# works with a read-only root filesystem; HOME is /tmp (an emptyDir in the CronJob).

FROM node:20-slim AS build
WORKDIR /app
# --ignore-scripts: `prepare` would build before the sources are here.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY commands ./commands
COPY src ./src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production \
    HOME=/tmp \
    SHELL=/bin/sh \
    CI=true
# A passwd entry for the runtime user: Node's os.userInfo() fails for a uid without one.
RUN groupadd --gid 65532 hardenctl \
 && useradd --uid 65532 --gid 65532 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin hardenctl
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/oclif.manifest.json ./
COPY manifests ./manifests
USER 65532:65532
ENTRYPOINT ["node", "/app/bin/run.js"]
CMD ["--help"]
