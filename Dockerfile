# One image for the gateway, the worker and the migration job (docker-compose.yml picks the command).
# Not built on the development machines (no Docker engine there); docker-compose.yml is validated offline in CI.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/install.sh scripts/
# Install scripts run only where package.json allowScripts approves them.
RUN bash scripts/install.sh
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/prisma.config.ts ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/temporal ./temporal
# Notification templates are read from the source tree (LOOM_NOTIFY_TEMPLATES may point elsewhere).
COPY --from=build /app/libs/integrations/src/notifications/templates ./libs/integrations/src/notifications/templates
USER node
EXPOSE 3000
CMD ["node", "dist/apps/gateway/src/main.js"]
