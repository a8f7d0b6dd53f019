# syntax=docker/dockerfile:1
# Build stage: full dependencies to compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund --ignore-scripts && npm run build

# Runtime stage: production dependencies only, non-root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# A bounded heap: about three times the live heap of 200 pairs. Without it V8 sizes its heap from the memory it
# sees and lets garbage pile up (200 idle pairs: 440-510 MiB RSS, against 241 MiB with this limit). Raise it through
# NODE_OPTIONS for more than about 400 pairs per controller.
ENV NODE_OPTIONS=--max-old-space-size=384
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
COPY statecharts ./statecharts
RUN ln -s /app/dist/cli/main.js /usr/local/bin/apim-dr && chmod +x /app/dist/cli/main.js
USER node
EXPOSE 7070
ENTRYPOINT ["apim-dr"]
CMD ["run", "--config", "/config/config.yaml"]
