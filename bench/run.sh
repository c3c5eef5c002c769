#!/usr/bin/env bash
# The benchmark: alembic-fix against ast-grep (the peer, with rules for the same wrong-target drops)
# and a tree-sitter parse-only floor, whole-process, with hyperfine, on two corpora: a synthetic
# versions folder of 20,000 autogenerate-style migrations, and 15,000 real migrations of public
# projects (bench/real_corpus.py, from the git snapshots bench/real_corpus.lock names). Writes
# each corpus's section of bench/results.md and prints it.
#
#   bash bench/run.sh            (as root on Debian bookworm; FILES=2000 for a quick look)
#   CORPUS=generated|real|both   (default both; without the snapshots the real half is skipped,
#                                 saying how to get them, unless CORPUS=real)
#   REAL_RUNS=3                  (hyperfine runs per command on the real corpus; default 5)
#   CORPUS=history               (ownership from the history, with and without: bench/history.sh)
#
# Installs hyperfine and GNU time (Debian), ast-grep (npm, pinned, into bench/.tools), builds a
# Release alembic-fix and parse_only into build-release, generates the folders into bench/out and
# extracts the real corpus into bench/real.
set -euo pipefail
cd "$(dirname "$0")/.."

CORPUS=${CORPUS:-both}
FILES=${FILES:-20000}
REAL_FILES=${REAL_FILES:-15000}
REAL_RUNS=${REAL_RUNS:-5}  # hyperfine runs per command on the real corpus (3: quicker, noisier)
JOBS=${JOBS:-$(nproc)}
AST_GREP_VERSION=0.51.1
BUILD=${BENCH_BUILD_DIR:-build-release}
OUT=bench/out
TOOLS=bench/.tools

step() { echo "== $*" >&2; }

# nothing_left COMMAND...: true when `COMMAND --check` would fix no file and fails on none. A
# warning that is a finding (SQL built at run time, AF106) makes --check exit 1 on a fixed real
# corpus too, so the summary line decides, not the exit status.
nothing_left() {
  local summary
  summary=$(NO_COLOR=1 "$@" --check 2>&1 >/dev/null | tail -n1)
  [[ $summary =~ ^alembic-fix:\ 0\ files\ would\ be\ fixed ]] && [[ $summary != *failed* ]]
}

step "build (Release) and Debian packages"
EXTRA_PACKAGES="hyperfine time" BUILD_DIR="$BUILD" BUILD_TYPE=Release CMAKE_ARGS=-DBUILD_TESTING=OFF \
  bash scripts/setup.sh
FIX=$BUILD/alembic-fix
PARSE=$BUILD/bench/parse_only

step "ast-grep $AST_GREP_VERSION from npm"
SG=$TOOLS/node_modules/.bin/ast-grep
if [ "$("$SG" --version 2>/dev/null)" != "ast-grep $AST_GREP_VERSION" ]; then
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "@ast-grep/cli@$AST_GREP_VERSION" >&2
fi

# The synthetic corpus: (a) to (d).
bench_generated() {
  step "generate $FILES migrations (versions/plant, versions/hq)"
  rm -rf "$OUT"
  mkdir -p "$OUT"
  # clean: what alembic-fix leaves (annotated, no wrong-target drops); first: nothing annotated yet.
  python3 bench/generate.py "$OUT/clean" --files "$FILES" --layout split --clean > "$OUT/clean.summary.json"
  python3 bench/generate.py "$OUT/first" --files "$FILES" --layout split --annotated-share 0 \
    --manifest "$OUT/first.manifest.json" > "$OUT/first.summary.json"
  python3 bench/astgrep/rules_for_map.py "$OUT/astgrep"
  SG_SCAN=("$SG" scan -c "$OUT/astgrep/sgconfig.yml" -j "$JOBS")

  # alembic-fix decides a target per file from its folder (versions/plant) once it has per-file
  # targets; a binary that does not yet is given each target's folder with --target.
  # fix_cmd MODE FOLDER prints the command line; MODE is --check, or --quiet to write.
  if "$FIX" --check -q -j "$JOBS" "$OUT/first" >/dev/null 2>&1 || [ $? -eq 1 ]; then
    fix_cmd() { echo "$FIX --no-cache $1 -j $JOBS $2"; }
    PER_FILE_TARGETS=yes
  else
    fix_cmd() { echo "$FIX --no-cache $1 -j $JOBS --target plant $2/plant; $FIX --no-cache $1 -j $JOBS --target hq $2/hq"; }
    PER_FILE_TARGETS=no
  fi

  step "validate: ast-grep's findings against alembic-fix's removals on $OUT/first"
  planted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["planted_drops"])' "$OUT/first.manifest.json")
  fix_found=$(NO_COLOR=1 sh -c "$(fix_cmd --check "$OUT/first")" 2>&1 >/dev/null | grep -c ': AF001 ' || true)
  sg_found=$("${SG_SCAN[@]}" --json=stream "$OUT/first" 2>/dev/null | grep -c '"ruleId"' || true)
  echo "wrong-target drops: planted $planted, alembic-fix removes $fix_found, ast-grep finds $sg_found" >&2
  if [ "$planted" != "$fix_found" ] || [ "$planted" != "$sg_found" ]; then
    echo "bench: the tools disagree on what to find; the timings would compare different work" >&2
    exit 1
  fi
  clean_sg=$("${SG_SCAN[@]}" --json=stream "$OUT/clean" 2>/dev/null | grep -c '"ruleId"' || true)
  "$FIX" --check -q -j "$JOBS" "$OUT/clean" || { echo "bench: alembic-fix --check finds work in the clean folder" >&2; exit 1; }
  [ "$clean_sg" = 0 ] || { echo "bench: ast-grep finds $clean_sg drops in the clean folder" >&2; exit 1; }

  HF=(hyperfine --style basic --warmup 1)
  step "(a) --check on a clean, annotated folder"
  "${HF[@]}" --runs 5 --export-json "$OUT/a.json" \
    -n alembic-fix "$FIX --no-cache --check -j $JOBS $OUT/clean" \
    -n ast-grep "${SG_SCAN[*]} $OUT/clean" \
    -n parse_only "$PARSE -j $JOBS $OUT/clean" >&2

  step "(b) first run: annotate every file, remove the wrong-target drops (fresh copy each run)"
  # ast-grep exits 1 when its rules match (they do here, as they should): hence -i. The copy is
  # synced before each run, or alembic-fix's fsync would pay for writing the copy back.
  "${HF[@]}" --runs 3 -i --prepare "rm -rf $OUT/work && cp -r $OUT/first $OUT/work && sync" \
    --export-json "$OUT/b.json" \
    -n alembic-fix "$(fix_cmd --quiet "$OUT/work")" \
    -n ast-grep "${SG_SCAN[*]} $OUT/work" \
    -n parse_only "$PARSE -j $JOBS $OUT/work" >&2

  step "(c) one file, as a post-write hook runs it"
  one_src=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["planted"][0]["path"])' "$OUT/first.manifest.json")
  mkdir -p "$OUT/one/plant" "$OUT/one/hq"
  one="$OUT/one/$one_src"
  one_target=${one_src%%/*}
  hyperfine --style basic -N --warmup 10 --runs 200 --prepare "sh -c 'cp $OUT/first/$one_src $one && sync $one'" \
    --export-json "$OUT/c.json" -n alembic-fix "$FIX --target $one_target $one" >&2

  step "(d) peak memory (GNU time, max RSS)"
  rss() { /usr/bin/time -f %M -o "$OUT/rss.tmp" sh -c "$1" >/dev/null 2>&1 || true; tail -n1 "$OUT/rss.tmp"; }
  {
    echo "a alembic-fix $(rss "$FIX --no-cache --check -j $JOBS $OUT/clean")"
    echo "a ast-grep $(rss "${SG_SCAN[*]} $OUT/clean")"
    rm -rf "$OUT/work" && cp -r "$OUT/first" "$OUT/work" && sync
    echo "b alembic-fix $(rss "$(fix_cmd --quiet "$OUT/work")")"
    echo "b ast-grep $(rss "${SG_SCAN[*]} $OUT/first")"
  } > "$OUT/rss.txt"
  # The first run measured just above must have left nothing to do.
  "$FIX" --check -q "$OUT/work/plant" "$OUT/work/hq" || { echo "bench: the first run left work to do" >&2; exit 1; }
  rm -rf "$OUT/work" "$OUT/rss.tmp"

  step "results"
  python3 bench/results_table.py --out bench/results.md \
    --a "$OUT/a.json" --b "$OUT/b.json" --c "$OUT/c.json" --rss "$OUT/rss.txt" \
    --clean-summary "$OUT/clean.summary.json" --first-summary "$OUT/first.summary.json" \
    --machine "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    --versions "$("$FIX" --version) ($(git rev-parse --short HEAD)), $("$SG" --version), $(hyperfine --version)" \
    --per-file-targets "$PER_FILE_TARGETS" --jobs "$JOBS"
}
# The real corpus: public projects' migrations (bench/real_corpus.py), each under a `plant/` folder
# with a map of their own tables (plant) and AssetIQ's hq tables. (r1) to (r5).
bench_real() {
  local real=bench/real
  step "real corpus: $REAL_FILES migrations from the snapshots in bench/real_corpus.lock"
  local status=0
  python3 bench/real_corpus.py extract "$real" --files "$REAL_FILES" >&2 || status=$?
  if [ "$status" = 3 ] && [ "$CORPUS" = both ]; then
    echo "bench: the real corpus is skipped (its snapshots are absent, see above)" >&2
    return 0
  fi
  [ "$status" = 0 ] || exit "$status"
  local map=$real/map.toml res=$real/results
  mkdir -p "$res"
  # The result cache of the real half's runs: its own, emptied before each first run (r1, r4),
  # filled by the warm-up of the steady state (r2); r2n is the steady state without it.
  local cache=$PWD/$real/cache
  export ALEMBIC_FIX_CACHE_DIR=$cache
  local load_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  python3 bench/astgrep/rules_for_map.py "$real/astgrep" --maps "$map"
  local sg="${SG_SCAN_BASE[*]} -c $real/astgrep/sgconfig.yml"
  local fix="$FIX --maps $map -j $JOBS"

  step "real: the fixed copy (steady state), and what each tool finds"
  rm -rf "$real/fixed" && cp -r "$real/first" "$real/fixed"
  $fix -q "$real/fixed" 2>/dev/null || { echo "bench: alembic-fix failed on the real corpus" >&2; exit 1; }
  nothing_left $fix "$real/fixed" || { echo "bench: the fixed real corpus still has work" >&2; exit 1; }
  NO_COLOR=1 $fix --check --statistics "$real/first" >"$res/first.statistics" 2>&1 || true
  local fix_found sg_found sg_fixed
  fix_found=$(NO_COLOR=1 $fix --check "$real/first" 2>&1 >/dev/null | grep -c ': AF001 ' || true)
  sg_found=$($sg --json=stream "$real/first" 2>/dev/null | grep -c '"ruleId"' || true)
  sg_fixed=$($sg --json=stream "$real/fixed" 2>/dev/null | grep -c '"ruleId"' || true)
  echo "real: wrong-target drops: alembic-fix removes $fix_found, ast-grep finds $sg_found (fixed copy: $sg_fixed)" >&2
  if [ "$fix_found" != "$sg_found" ] || [ "$sg_fixed" != 0 ]; then
    echo "bench: the tools disagree on the real corpus" >&2
    exit 1
  fi
  NO_COLOR=1 $fix --check -v "$real/fixed" 2>&1 | grep -c 'not parsed' >"$res/prefiltered" || true
  NO_COLOR=1 $fix --check -v "$real/first" 2>&1 | grep -c 'not parsed' >"$res/prefiltered_first" || true
  # Every shortcut of the byte scan must give the parser's result: diffs and diagnostics, on
  # both the never-annotated and the fixed copy, with the prefilter on and off.
  local d
  for d in first/00 fixed/00; do
    cmp -s <(NO_COLOR=1 $fix --diff "$real/$d" 2>&1) <(NO_COLOR=1 $fix --diff --no-prefilter "$real/$d" 2>&1) ||
      { echo "bench: the prefilter changes the result on $real/$d" >&2; exit 1; }
  done

  local HF=(hyperfine --style basic --warmup 1 --runs "$REAL_RUNS" -i)
  step "(r1) first run: --check on files never annotated"
  "${HF[@]}" --prepare "rm -rf $cache" --export-json "$res/r1.json" \
    -n alembic-fix "$fix --check $real/first" \
    -n ast-grep "$sg $real/first" \
    -n parse_only "$PARSE -j $JOBS $real/first" >&2
  step "(r2) steady state: --check on files alembic-fix already fixed (r2n: without the cache)"
  rm -rf "$cache"  # the warm-up fills it with these files' results alone
  "${HF[@]}" --export-json "$res/r2.json" \
    -n alembic-fix "$fix --check $real/fixed" \
    -n "alembic-fix (no cache)" "$fix --no-cache --check $real/fixed" \
    -n ast-grep "$sg $real/fixed" \
    -n parse_only "$PARSE -j $JOBS $real/fixed" >&2

  step "(r3) one real file of about 5 KB, fixed as a post-write hook fixes it"
  local one_src one
  one_src=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["five_kb"])' "$real/summary.json")
  mkdir -p "$real/one/plant"
  one=$real/one/plant/$(basename "$one_src")
  hyperfine --style basic -N --warmup 10 --runs 200 --prepare "sh -c 'cp $real/src/$one_src $one && sync $one'" \
    --export-json "$res/r3.json" -n alembic-fix "$FIX --maps $map $one" >&2

  step "(r4) peak memory on the folder, (r5) one large migration"
  # (r5) the longest real upgrade() repeated to 6.6 MB: the fix adds the annotation; (r5b) the real
  # upgrade() with the most drops (of tables no map lists) likewise, fixed with --unknown remove so
  # that edits run from top to bottom. Each is fixed on a fresh copy; parse_only parses it alone.
  local kind work
  for kind in longest drops; do
    mkdir -p "$real/large-work/$kind/plant"
    cp "$real/large/$kind/plant/big_$kind.py" "$real/large-work/$kind/plant/"
  done
  local fix_longest="$FIX --maps $map $real/large-work/longest/plant/big_longest.py"
  local fix_drops="$FIX --maps $map --unknown remove $real/large-work/drops/plant/big_drops.py"
  local restore="sh -c 'for k in longest drops; do cp $real/large/\$k/plant/big_\$k.py $real/large-work/\$k/plant/; done; sync'"
  "${HF[@]}" --prepare "$restore" --export-json "$res/r5.json" \
    -n alembic-fix "$fix_longest" -n ast-grep "$sg $real/large/longest" -n parse_only "$PARSE $real/large/longest" \
    -n "alembic-fix (drops)" "$fix_drops" -n "ast-grep (drops)" "$sg $real/large/drops" \
    -n "parse_only (drops)" "$PARSE $real/large/drops" >&2
  rss() { /usr/bin/time -f %M -o "$res/rss.tmp" sh -c "$1" >/dev/null 2>&1 || true; tail -n1 "$res/rss.tmp"; }
  {
    echo "r1 alembic-fix $(rss "rm -rf $cache; $fix --check $real/first")"
    echo "r1 ast-grep $(rss "$sg $real/first")"
    echo "r1 parse_only $(rss "$PARSE -j $JOBS $real/first")"
    echo "r2 alembic-fix $(rss "$fix --check $real/fixed")"
    echo "r2 ast-grep $(rss "$sg $real/fixed")"
    rm -rf "$real/work" && cp -r "$real/first" "$real/work" && sync
    echo "r4 alembic-fix $(rss "rm -rf $cache; $fix -q $real/work")"
    sh -c "$restore"
    echo "r5 alembic-fix $(rss "$fix_longest")"
    echo "r5 ast-grep $(rss "$sg $real/large/longest")"
    echo "r5 parse_only $(rss "$PARSE $real/large/longest")"
    echo "r5b alembic-fix $(rss "$fix_drops")"
    echo "r5b ast-grep $(rss "$sg $real/large/drops")"
    echo "r5b parse_only $(rss "$PARSE $real/large/drops")"
  } >"$res/rss.txt"
  # The fixes measured must have done their work: nothing left to fix.
  nothing_left $fix "$real/work" || { echo "bench: the real first run left work to do" >&2; exit 1; }
  nothing_left $FIX --maps "$map" --unknown remove "$real/large-work" ||
    { echo "bench: a large migration was not fixed" >&2; exit 1; }
  rm -rf "$real/work" "$real/large-work" "$res/rss.tmp"

  step "real: results"
  python3 bench/real_results.py --out bench/results.md --results "$res" --summary "$real/summary.json" \
    --machine "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    --versions "$("$FIX" --version) ($(git rev-parse --short HEAD)), $("$SG" --version), $(hyperfine --version)" \
    --load "$load_before -> $(cut -d' ' -f1-3 /proc/loadavg)" --jobs "$JOBS" --runs "$REAL_RUNS"
}

SG_SCAN_BASE=("$SG" scan -j "$JOBS")
case "$CORPUS" in
  generated) bench_generated ;;
  real) bench_real ;;
  both) bench_generated && bench_real ;;
  history) FIX="$FIX" bash bench/history.sh >/dev/null ;;
  *) echo "bench: CORPUS is generated, real, both or history" >&2; exit 2 ;;
esac
cat bench/results.md
