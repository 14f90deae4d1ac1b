#!/usr/bin/env bash
# Takes the README's terminal screenshots again: runs the demo in a tmux pane (a real terminal, 110×32),
# captures the pane with its colours during the first sync and after the demo, and renders both to PNG
# (scripts/ansi-screenshot.mjs: ANSI → HTML → headless Chromium). Installs Debian's chromium with apt-get
# when /usr/bin/chromium is missing. Writes docs/terminal-during.png and docs/terminal-after.png.
# Usage: scripts/terminal-screenshot.sh [ORDERS]   (default 1200)
set -euo pipefail
cd "$(dirname "$0")/.."
orders="${1:-1200}"
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (apt-get)…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
command -v tmux >/dev/null || { echo "tmux is needed (apt-get install tmux)" >&2; exit 2; }
npm run -s build
work="$(mktemp -d)"
session="order-sync-shot-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
tmux new-session -d -s "$session" -x 110 -y 32 -e TERM=xterm-256color \
  "cd '$work' && node '$PWD/bin/order-sync.js' demo --dir demo --orders $orders; echo DEMO-EXIT=\$?; sleep 3600"
# During: the first sync's live lines (the demo paces itself like monday.com, so it takes a while).
for _ in $(seq 1 600); do
  sleep 0.5
  if tmux capture-pane -p -t "$session" | grep -Eq '^[A-Z].*  (push|subitems) .*/s'; then break; fi
done
sleep 1
tmux capture-pane -e -p -t "$session" > "$work/during.ansi"
for _ in $(seq 1 1200); do
  sleep 0.5
  if tmux capture-pane -p -t "$session" | grep -q 'DEMO-EXIT='; then break; fi
done
tmux capture-pane -e -p -t "$session" | grep -v 'DEMO-EXIT=' > "$work/after.ansi"
node scripts/ansi-screenshot.mjs "$work/during.ansi" docs/terminal-during.png "order-sync demo: during the first sync"
node scripts/ansi-screenshot.mjs "$work/after.ansi" docs/terminal-after.png "order-sync demo: after the three syncs"
