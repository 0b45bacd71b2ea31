#!/usr/bin/env bash
# Packs flowsentry, installs the tarball with its peers into a fresh project, and trains a tiny
# model one step from an ESM `import` and from a CommonJS `require`.
set -euo pipefail
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tarball=$(npm pack --silent --pack-destination "$tmp" | tail -n 1)
echo "packed $tarball: $(tar -tzf "$tmp/$tarball" | wc -l) files"
if tar -tzf "$tmp/$tarball" | grep -E '^package/(src|test|docs|bench)/' >/dev/null; then
  echo "consumer check: the tarball contains source, test, docs or bench files" >&2
  exit 1
fi
cd "$tmp"
npm init -y >/dev/null
core=$(node -p "require('$root/node_modules/@tensorflow/tfjs-core/package.json').version")
npm install --no-audit --no-fund "./$tarball" "@tensorflow/tfjs-core@$core" "@tensorflow/tfjs-layers@$core" >/dev/null
cp "$root/.ci/consumer/"* .
node esm-check.mjs
node cjs-check.cjs
npx --no-install flowsentry --help | head -n 3
echo "consumer check passed (ESM and CJS)"
