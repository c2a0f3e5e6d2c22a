#!/usr/bin/env bash
# `prisma generate`, only when prisma/schema.prisma changed since the last run (it costs ~2 s),
# and quiet unless it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
out=libs/persistence/src/generated/prisma
stamp="$out/.schema.sha256"
sum=$(sha256sum prisma/schema.prisma | cut -d' ' -f1)
if [ -f "$stamp" ] && [ -f "$out/client.ts" ] && [ "$(cat "$stamp")" = "$sum" ]; then exit 0; fi
if ! log=$(node node_modules/prisma/build/index.js generate --no-hints 2>&1); then
  echo "$log" >&2
  exit 1
fi
echo "$sum" >"$stamp"
