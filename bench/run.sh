#!/usr/bin/env bash
# Load benchmark of the public catalogue over HTTP on loopback.
#   bash bench/run.sh                      # SQLite (embedded default)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/run.sh
# Needs wrk (Debian package `wrk`). Starts a release build of the server on a scratch data folder
# seeded with the demo catalogue, runs each query for DURATION seconds with CONNECTIONS
# connections, and stops the server. Requests go to 127.0.0.1 only. Anonymous queries are served
# from the response cache; RESPONSE_CACHE_TTL_SECONDS=0 measures without it. The per-minute query
# budget is off: one address sends every request.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-16}"
PORT="${PORT:-18080}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --locked --quiet
data="$(mktemp -d)"
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  admin="${DATABASE_URL%/*}/postgres"
  db="${DATABASE_URL##*/}"
  psql "$admin" -qc "DROP DATABASE IF EXISTS \"$db\"" && psql "$admin" -qc "CREATE DATABASE \"$db\""
fi
DATA_DIR="$data" BIND="127.0.0.1:$PORT" SEED_DEMO=true RUST_LOG=warn RATE_LIMIT_QUERY_COST_PER_MINUTE=0 \
  ./target/release/pasar-oleh serve &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
echo "backend: ${DATABASE_URL:-sqlite (embedded)}; cache: ${REDIS_URL:-in-process}, ttl ${RESPONSE_CACHE_TTL_SECONDS:-30}s; ${CONNECTIONS} connections, ${DURATION}s per query; $(nproc) cores shared by server and wrk"
for q in page20 page100 search; do
  echo "== $q"
  QUERY=$q wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/products_page.lua "http://127.0.0.1:$PORT/graphql" |
    grep -E "Requests/sec|Latency |50%|99%|Non-2xx|errors"
done
