# One image, every role: `tagflow run --roles <role>` picks what a container runs.
# Build stage: the bundled distribution (npm run build); the image runs it with production deps only
# and carries no TypeScript source, so bin/tagflow.js runs dist/ and never loads a TypeScript loader.
#   docker build -t <registry>/tagflow:<version> .   (deploy/kustomize: `kustomize edit set image`)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates openssh-client gnupg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY bin ./bin
# argocd-image-updater Deployments call the binary by these paths (v0: /usr/local/bin/argocd-image-updater, v1.0-1.1: /manager)
RUN chmod +x /app/bin/tagflow.js \
  && ln -s /app/bin/tagflow.js /usr/local/bin/tagflow \
  && ln -s /app/bin/tagflow.js /usr/local/bin/argocd-image-updater \
  && ln -s /app/bin/tagflow.js /manager
# A bounded heap: V8 would otherwise grow far past what tagflow keeps alive (README, "Benchmark").
ENV NODE_OPTIONS=--max-old-space-size=192
USER node
# the api role: dashboard, /api/v1, webhooks, /metrics, /healthz, /readyz
EXPOSE 8080
ENTRYPOINT ["node", "/app/bin/tagflow.js"]
CMD ["run"]
