#!/usr/bin/env bash
# The benchmark: every scenario on SQLite and on PostgreSQL, plus the ceiling, into one table.
#
#   bash bench/run.sh                 # the full run (BENCHMARKS.md)
#   SMOKE=1 bash bench/run.sh         # a few seconds on a small dataset (CI)
#
# Builds the release binaries, seeds the deterministic dataset (`pasar-oleh seed-bench`) into a
# fresh SQLite file and a fresh PostgreSQL database, starts the server on loopback, runs the load
# driver (`bench run`) for each scenario and writes bench/results/latest.{jsonl,md}.
#
# Environment (defaults in brackets):
#   BACKENDS [sqlite postgres]   PG_URL [postgres://postgres@127.0.0.1:5432/postgres]
#   SCENARIOS [home home100 detail search kiosk mix]   CONNECTIONS [32]
#   DURATION [10] seconds per scenario, WARMUP [2]    PRODUCTS [10000] SELLERS [1000] SEED [42]
#   PORT [18080]  CEILING_PORT [18090]   OUT [bench/results]
# A backend label is the database, optionally with the response cache: `sqlite` and `postgres`
# run uncached (RESPONSE_CACHE_TTL_SECONDS=0), `sqlite+cache` with the in-process cache, and
# `postgres+redis` with the cache in Redis at REDIS_URL [redis://127.0.0.1:6379/15].
# The per-minute query budget is off in every run: one address sends every request.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -n "${SMOKE:-}" ]]; then
  : "${DURATION:=2}" "${WARMUP:=0.5}" "${PRODUCTS:=600}" "${SELLERS:=100}" "${CONNECTIONS:=4}"
  : "${PROFILE:=debug}"
fi
BACKENDS="${BACKENDS:-sqlite postgres sqlite+cache postgres+redis}"
SCENARIOS="${SCENARIOS:-home home100 detail search kiosk mix}"
CONNECTIONS="${CONNECTIONS:-32}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
PRODUCTS="${PRODUCTS:-10000}"
SELLERS="${SELLERS:-1000}"
SEED="${SEED:-42}"
PORT="${PORT:-18080}"
CEILING_PORT="${CEILING_PORT:-18090}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
OUT="${OUT:-bench/results}"
PROFILE="${PROFILE:-release}"

if [[ "$PROFILE" == release ]]; then
  cargo build --release --locked --quiet -p pasar-oleh -p bench
  bin=target/release
else
  cargo build --locked --quiet -p pasar-oleh -p bench
  bin=target/debug
fi
[[ -n "${CARGO_TARGET_DIR:-}" ]] && bin="$CARGO_TARGET_DIR/${bin#target/}"

mkdir -p "$OUT"
results="$OUT/latest.jsonl"
: >"$results"
scratch="$(mktemp -d)"
server=""
ceiling=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null || true
  [[ -n "$ceiling" ]] && kill "$ceiling" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

admin_id="bench-admin@example.com"
admin_pw="bench-password-$SEED"

wait_ready() {
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$1/$2" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the server on port $1 did not become ready" >&2
  return 1
}

for backend in $BACKENDS; do
  data="$scratch/$backend"
  mkdir -p "$data"
  case "$backend" in
    *+cache) cache_env=(RESPONSE_CACHE_TTL_SECONDS=30) ;;
    *+redis) cache_env=(RESPONSE_CACHE_TTL_SECONDS=30 REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}") ;;
    *) cache_env=(RESPONSE_CACHE_TTL_SECONDS=0) ;;
  esac
  case "${backend%%+*}" in
    sqlite) url="sqlite://$data/bench.db?mode=rwc" ;;
    postgres)
      db="pasar_oleh_bench"
      admin_url="$PG_URL"
      psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
      psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
      url="${PG_URL%/*}/$db"
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  export DATA_DIR="$data" DATABASE_URL="$url" SEED_DEMO=false RUST_LOG="${RUST_LOG:-warn}"
  started=$(date +%s.%N)
  "$bin/pasar-oleh" seed-bench --products "$PRODUCTS" --sellers "$SELLERS" --seed "$SEED"
  echo "$backend: dataset loaded in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s" >&2
  printf '%s\n' "$admin_pw" | "$bin/pasar-oleh" create-admin "$admin_id" "Bench Admin" >/dev/null
  env "${cache_env[@]}" RATE_LIMIT_QUERY_COST_PER_MINUTE=0 BIND="127.0.0.1:$PORT" "$bin/pasar-oleh" serve &
  server=$!
  t0=$(date +%s.%N)
  wait_ready "$PORT" readyz
  echo "$backend: ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') s (idle RSS $(awk '/VmRSS/ {print $2/1024 " MB"}' "/proc/$server/status"))" >&2
  for scenario in $SCENARIOS; do
    sample=()
    # The ceiling serves the first backend's home-page bytes.
    [[ "$scenario" == home && ! -s "$scratch/home.json" ]] && sample=(--save-sample "$scratch/home.json")
    "$bin/bench" run "${sample[@]}" --url "http://127.0.0.1:$PORT" --scenario "$scenario" --label "$backend" \
      --connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" \
      --server-pid "$server" --admin "$admin_id:$admin_pw" --out "$results" ||
      # The line is in the table either way; the smoke run (CI) stops at the first failure.
      { [[ -n "${SMOKE:-}" ]] && exit 1; echo "$backend $scenario: failed checks or no answer" >&2; }
  done
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
  unset DATA_DIR DATABASE_URL
done

if [[ -s "$scratch/home.json" ]]; then
  "$bin/bench" ceiling --port "$CEILING_PORT" --body "$scratch/home.json" &
  ceiling=$!
  sleep 0.5
  "$bin/bench" run --url "http://127.0.0.1:$CEILING_PORT" --scenario ceiling --label "ceiling" \
    --connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" \
    --server-pid "$ceiling" --out "$results"
fi

{
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(uname -sr)."
  echo "Dataset: $PRODUCTS products, $SELLERS sellers, seed $SEED. $CONNECTIONS connections, ${DURATION}s per scenario after ${WARMUP}s warm-up, driver on the same machine."
  echo
  "$bin/bench" table "$results"
} >"$OUT/latest.md"
cat "$OUT/latest.md"
