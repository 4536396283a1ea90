#!/usr/bin/env bash
# A minimal bash status script of the kind dce-ops replaces, for start-up comparison only
# (bench/lock/cold_start_bench.ts): jq reads the config, flock -n probes the lock, the holder
# record's pid is checked with kill -0. Same header lines and exit codes as scrape-lock-status.
set -euo pipefail
config=${DCE_CONFIG_FILE:-$(dirname "$0")/../../config/scrape-targets.json}
while [ $# -gt 0 ]; do
  case "$1" in
    --config) [ $# -ge 2 ] || { echo "ERROR: Missing value for --config." >&2; exit 2; }; config=$2; shift 2 ;;
    -h | --help) echo "Usage: scrape-lock-status.sh [--config PATH]"; exit 0 ;;
    *) echo "ERROR: Unknown option: $1" >&2; exit 2 ;;
  esac
done
command -v jq >/dev/null 2>&1 || { echo "ERROR: Required command 'jq' is missing." >&2; exit 2; }
[ -f "$config" ] || { echo "ERROR: Missing config: $config" >&2; exit 2; }
root=$(jq -r '.archive_root // empty' "$config")
lock=${DCE_SCRAPE_LOCK_FILE:-${root:-$(dirname "$0")/../..}/.dce-scrape.lock}
printf 'Scrape lock status\n==================\nconfig: %s\nlock: %s\n' "$config" "$lock"
if [ ! -e "$lock" ]; then echo "state: free (no lock file)"; exit 0; fi
pid=$(sed -n 's/^pid=//p' "$lock" 2>/dev/null | head -n 1)
if ! flock -n "$lock" true 2>/dev/null; then
  echo "state: held (active scrape)"; [ -n "$pid" ] && echo "holder pid: $pid"; exit 1
fi
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
  echo "state: stale (reclaimable; holder pid $pid is not running)"
else
  echo "state: free (lock file present but not held)"
fi
[ -n "$pid" ] && echo "holder pid: $pid"
exit 0
