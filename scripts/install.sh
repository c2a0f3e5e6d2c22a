#!/usr/bin/env bash
# `npm ci` with the allow-scripts policy enforced (npm 11 only warns): no dependency runs an install script
# unless package.json's "allowScripts" approves it by name; a package with one that is neither approved nor
# denied stops the install. Used by .ci/run and the Dockerfile.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts "$@"
review="$(npm install-scripts ls)"
if ! grep -q '^No packages with unreviewed install scripts' <<<"$review"; then
  echo "$review" >&2
  echo 'install.sh: approve or deny each of these in package.json "allowScripts"' >&2
  exit 1
fi
approved="$(node -e 'const a = require("./package.json").allowScripts ?? {}; console.log(Object.keys(a).filter((k) => a[k] === true).join(" "))')"
# Only what is installed here (platform packages are optional).
present=()
for pkg in $approved; do [ -d "node_modules/$pkg" ] && present+=("$pkg"); done
if [ ${#present[@]} -gt 0 ]; then
  echo "install.sh: running the approved install scripts of ${present[*]}"
  npm rebuild --foreground-scripts "${present[@]}"
fi
