#!/usr/bin/env bash
# Rebuilds the WebGL map's libraries into one offline script, ecograph/static/sigma.min.js,
# and their licences into ecograph/static/sigma.LICENSES.txt.
#
# The versions are exact and locked (scripts/sigma-bundle/package-lock.json): sigma 3.0.3,
# graphology 0.26.0, @sigma/export-image 3.0.0 and what they bundle (events 3.3.0,
# graphology-utils 2.5.2, file-saver 2.0.5), every one MIT-licensed; esbuild 0.28.2 (MIT)
# builds them and is not shipped. Needs Node.js and npm (the npm registry); run it after
# changing scripts/sigma-bundle/, and commit both files it writes.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/sigma-bundle/package.json scripts/sigma-bundle/package-lock.json scripts/sigma-bundle/entry.js "$work/"
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)

shipped=(sigma graphology graphology-utils events @sigma/export-image file-saver)
versions=$(cd "$work" && for p in "${shipped[@]}"; do
  printf '%s %s (%s)\n' "$p" "$(node -p "require('./node_modules/$p/package.json').version")" \
    "$(node -p "require('./node_modules/$p/package.json').license")"
done)
banner="/* ecograph's WebGL map libraries, built by scripts/build-sigma-bundle.sh with esbuild from:
$versions
Licences: ecograph/static/sigma.LICENSES.txt */"

"$work/node_modules/.bin/esbuild" "$work/entry.js" --bundle --minify --format=iife --target=es2019 \
  --legal-comments=none --banner:js="$banner" --log-level=warning --outfile=ecograph/static/sigma.min.js

{
  echo "Licences of the libraries in ecograph/static/sigma.min.js"
  echo
  echo "$versions"
  for p in "${shipped[@]}"; do
    licence=$(ls "$work/node_modules/$p" | grep -i -m1 -E '^licen[cs]e')
    printf '\n==== %s: %s ====\n\n' "$p" "$licence"
    cat "$work/node_modules/$p/$licence"
  done
} > ecograph/static/sigma.LICENSES.txt
echo "wrote ecograph/static/sigma.min.js ($(wc -c < ecograph/static/sigma.min.js) bytes) and ecograph/static/sigma.LICENSES.txt" >&2
