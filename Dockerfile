# syntax=docker/dockerfile:1
#
# segura-siem container image: the bundled CLI (dist/segura-siem.js) on the official Node
# Alpine image, running as a non-root numeric user, with nothing written outside mounted
# volumes (safe with a read-only root filesystem).
#
#   docker build -t segura-siem:0.1.0 --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run --rm -i --read-only segura-siem:0.1.0 stdio < config-examples/sample-events.ndjson
#
# Why node:20-alpine rather than gcr.io/distroless/nodejs20-debian12 (docs/operations.md,
# "Container image"): the two are about the same size (~130-155 MB on disk, almost all of it
# the node binary), but Alpine has `/usr/bin/env`, so `segura-siem` can be a plain symlink to
# the bundle (whose first line is `#!/usr/bin/env node`) and `ENTRYPOINT ["segura-siem"]` is
# literally true; it also has busybox `sleep`, which the plain-sidecar Kubernetes variant
# needs in a preStop hook on clusters without native sidecars. Every dependency is pure
# JavaScript, so musl vs glibc does not matter. Distroless has fewer packages to patch; the
# price is no shell, no `env` and no `sleep`.
#
# Node 20 reached end of life on 2026-04-30. The bundle targets Node 20 (the version the
# project tests on) and uses no Node-20-only API: --build-arg NODE_IMAGE=node:22-alpine (or
# a pinned digest) should give a supported runtime, untested here.
#
# No HEALTHCHECK: a gRPC health check needs a gRPC client, and the image's modes differ
# (stdio and follow have no port at all). Kubernetes probes the health port natively
# (`grpc:` probes, see config-examples/kubernetes/); for plain Docker see docs/operations.md.

ARG NODE_IMAGE=node:20-alpine

# ---- build: install the exact locked toolchain and bundle everything into dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script to build (esbuild finds its
# platform binary package at run time); not running them narrows the supply-chain surface.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY proto ./proto
COPY plugin ./plugin
RUN npm run build

# ---- runtime: node + the bundle, nothing else ----
FROM ${NODE_IMAGE} AS runtime
# Re-declared: an ARG before the first FROM is visible to FROM lines only.
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="segura-siem" \
      org.opencontainers.image.description="Turns Segura PAM (senhasegura) JSON events into CEF, RFC 5424 syslog and Sensage lines for log shippers" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

# npm, npx, corepack and yarn are not needed at run time. Deleting them in this layer does
# not make the image smaller (the base layer still holds them) but takes them off the
# running filesystem: nothing can run them, and scanners of the final filesystem skip them.
# /var/lib/segura-siem is the conventional place for a `follow --state` file: mount a volume
# there (it is owned by the runtime user, so a fresh named volume is writable).
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && mkdir -p /app /var/lib/segura-siem \
 && chown 1000:1000 /var/lib/segura-siem

# The bundle includes every dependency and the .proto contracts: no node_modules.
COPY --from=build /src/dist/ /app/
RUN ln -s /app/segura-siem.js /usr/local/bin/segura-siem

ENV NODE_ENV=production
WORKDIR /app
# Numeric so Kubernetes `runAsNonRoot: true` can verify it (uid 1000 is `node` in this image).
USER 1000:1000
ENTRYPOINT ["segura-siem"]
CMD ["--help"]
