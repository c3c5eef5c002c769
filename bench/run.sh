#!/usr/bin/env bash
# The benchmark: alembic-fix against ast-grep (the peer, with rules for the same wrong-target drops)
# and a tree-sitter parse-only floor, whole-process, with hyperfine, on a synthetic versions folder
# of 20,000 autogenerate-style migrations. Writes bench/results.md and prints it.
#
#   bash bench/run.sh            (as root on Debian bookworm; FILES=2000 for a quick look)
#
# Installs hyperfine and GNU time (Debian), ast-grep (npm, pinned, into bench/.tools), builds a
# Release alembic-fix and parse_only into build-release, generates the folders into bench/out.
set -euo pipefail
cd "$(dirname "$0")/.."

FILES=${FILES:-20000}
JOBS=${JOBS:-$(nproc)}
AST_GREP_VERSION=0.51.1
BUILD=${BENCH_BUILD_DIR:-build-release}
OUT=bench/out
TOOLS=bench/.tools

step() { echo "== $*" >&2; }

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
  fix_cmd() { echo "$FIX $1 -j $JOBS $2"; }
  PER_FILE_TARGETS=yes
else
  fix_cmd() { echo "$FIX $1 -j $JOBS --target plant $2/plant; $FIX $1 -j $JOBS --target hq $2/hq"; }
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
  -n alembic-fix "$FIX --check -j $JOBS $OUT/clean" \
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
  echo "a alembic-fix $(rss "$FIX --check -j $JOBS $OUT/clean")"
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
cat bench/results.md
