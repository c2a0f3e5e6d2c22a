#!/usr/bin/env bash
# `npm run build` (`--always`), and `npm start`'s build: unless nothing it compiles changed since the last build,
# so that `npm start` on an unchanged checkout starts at once instead of spending seconds in tsc (whose incremental
# check still reads every file).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prisma-generate.sh
# tsc leaves its .tsbuildinfo as it was when nothing changed (a file saved unchanged): our own stamp, after success.
stamp=dist/.built
if [ "${1:-}" != --always ] && [ -f "$stamp" ] && [ -z "$(find apps libs test bench -name '*.ts' -newer "$stamp" -print -quit)" ] &&
  [ -z "$(find . -maxdepth 1 \( -name 'tsconfig*.json' -o -name package-lock.json \) -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
# Stamped with the time tsc began: a file saved while it ran is newer, and compiled next time.
mkdir -p dist && touch "$stamp.next"
npx tsc -p tsconfig.json
mv "$stamp.next" "$stamp"
