#!/usr/bin/env bash
# segfollow-run.sh — one scheduled `segfollow run`, for cron (deploy/cron/segfollow.cron) and systemd
# (deploy/systemd/segfollow.service). See deploy/README.md.
#
#   segfollow-run.sh [--dry-run] [--demo] [SEGFOLLOW RUN OPTIONS…]
#
#   --dry-run   print the command it would run (and where its log would go) and exit 0; runs nothing
#   --demo      run on the built-in emulator over synthetic data (segfollow run --demo), report year 2025
#   anything else is passed on to `segfollow run` (e.g. --offline, --reports riket,lan)
#
# Environment (all optional):
#   SEGFOLLOW_HOME      install folder, the checkout holding package.json (default: two folders above this script)
#   SEGFOLLOW_YEAR      report year (default: last calendar year; 2025 with --demo, the demo data's last year)
#   SEGFOLLOW_DEMO      1 = as --demo
#   SEGFOLLOW_WHEN_NEW  0 = build and publish every time (default 1: --when-new, only when a source has new data)
#   SEGFOLLOW_LOG_FILE  file the JSON log lines are appended to (default: $SEGFOLLOW_HOME/output/logs/segfollow.jsonl);
#                       "-" = leave them on stderr (systemd: the journal)
#   SEGFOLLOW_NODE      node executable (default: node on PATH)
#   SEGFOLLOW_* settings of segfollow itself (SEGFOLLOW_RAW, SEGFOLLOW_WAREHOUSE, SEGFOLLOW_OUT, …) reach it unchanged.
#
# No flock: segfollow takes its own lock (<warehouse>.lock) and exits 3 if another run holds it. The exit code of
# segfollow is this script's exit code: 0 done, 1 a stage failed, 2 usage or bad input, 3 another run holds the lock.
set -uo pipefail

dry_run=0
demo="${SEGFOLLOW_DEMO:-0}"
extra=()
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    --demo) demo=1 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) extra+=("$arg") ;;
  esac
done
case "$demo" in
  1 | true) demo=1 ;;
  0 | false | '') demo=0 ;;
  *) echo "segfollow-run.sh: SEGFOLLOW_DEMO must be 1, 0, true or false, got \"$demo\"" >&2; exit 2 ;;
esac

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
home="${SEGFOLLOW_HOME:-$(cd "$script_dir/../.." && pwd)}"
if [[ ! -f "$home/package.json" || ! -f "$home/bin/segfollow.js" ]]; then
  echo "segfollow-run.sh: $home is not a segfollow install (no package.json or bin/segfollow.js); set SEGFOLLOW_HOME" >&2
  exit 2
fi

if [[ -n "${SEGFOLLOW_YEAR:-}" ]]; then
  year="$SEGFOLLOW_YEAR"
elif [[ "$demo" == 1 ]]; then
  year=2025
else
  # The follow-up of year Y is made in Y+1 and later, as SCB and Kolada publish Y: the last calendar year.
  year=$(($(date -u +%Y) - 1))
fi

cmd=("${SEGFOLLOW_NODE:-node}" bin/segfollow.js run --year "$year" --log-format json)
# --when-new: a monthly schedule builds and publishes only when SCB or Kolada has released something since the last
# report ("inget nytt" and exit 0 otherwise). Not with --offline (nothing is asked), nor with SEGFOLLOW_WHEN_NEW=0.
when_new="${SEGFOLLOW_WHEN_NEW:-1}"
for arg in "${extra[@]}"; do [[ "$arg" == --offline ]] && when_new=0; done
[[ "$when_new" == 1 ]] && cmd+=(--when-new)
[[ "$demo" == 1 ]] && cmd+=(--demo)
cmd+=("${extra[@]}")

log="${SEGFOLLOW_LOG_FILE:-$home/output/logs/segfollow.jsonl}"

if [[ "$dry_run" == 1 ]]; then
  printf 'cd %q && %s\n' "$home" "$(printf '%q ' "${cmd[@]}" | sed 's/ $//')"
  if [[ "$log" == - ]]; then echo "log: stderr"; else echo "log: $log"; fi
  exit 0
fi

cd "$home" || exit 2
if [[ "$log" == - ]]; then
  "${cmd[@]}"
  exit $?
fi

mkdir -p "$(dirname "$log")" || exit 2
# One line of the wrapper's own before and after segfollow's lines, in the same JSON shape, so that the log file
# says when each scheduled run started and how it ended even if segfollow could not start at all.
note() { printf '{"time":"%s","level":"%s","msg":"segfollow-run.sh: %s"%s}\n' "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" "$1" "$2" "${3:-}" >>"$log"; }
note info "starting" ",\"year\":$(printf '%s' "$year" | sed 's/[^0-9]//g; s/^$/null/'),\"demo\":$([[ "$demo" == 1 ]] && echo true || echo false)"
"${cmd[@]}" </dev/null >>"$log" 2>&1
rc=$?
case "$rc" in
  0) note info "done" ",\"exit\":0" ;;
  3) note warn "another run holds the lock; nothing done" ",\"exit\":3" ;;
  *) note error "segfollow run failed" ",\"exit\":$rc"
     # cron mails what a job prints: only failures print anything.
     echo "segfollow run failed with exit $rc; see $log" >&2 ;;
esac
exit "$rc"
