// libFuzzer over the whole single-file pipeline (bytes in, bytes out), checking what
// alembic-fix promises rather than only that it does not crash. Any broken promise aborts:
//   - an input that parses gives an output that parses (never AF204 internal-error);
//   - a second run over the output changes nothing;
//   - the output is the input with whole lines removed, and only `pass` lines and the
//     MIGRATION_TARGET annotation inserted;
//   - the byte prefilter never changes a result (bar syntax errors in files it accepts);
//   - no kept statement names a table whose create_table/drop_table was removed (it would fail
//     with "no such table"), unless `# alembic-fix: keep` kept that statement.
// Built by the `asan` preset (clang-14, ASan + UBSan); tests/fuzz/run_fuzzer.sh runs it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/migration.h"
#include "compiler/pipeline.h"
#include "compiler/source.h"
#include "compiler/sql_text.h"

using namespace alembic_fix;

namespace {

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "alembic-fix promise broken: %s\n", promise);
  std::abort();
}

// Lines as Python reads them: ended by "\r\n", "\n" or a lone "\r" (old Mac files are accepted).
std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    else end += text.compare(end, 2, "\r\n") == 0 ? 2 : 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string_view without_terminator(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

bool inserted_line(std::string_view line, std::string_view target) {
  line = without_terminator(line);
  if (line == "MIGRATION_TARGET = \"" + std::string(target) + "\"") return true;
  size_t indent = line.find_first_not_of(" \t");
  return indent != std::string_view::npos && line.substr(indent) == "pass";
}

// Every output line is an inserted `pass`/annotation line, or the next of the input's lines
// that equals it (the input lines skipped on the way were removed), or an empty line in place of
// a removed one (Alembic's emptied `${imports}` line, AF005). Deleting a line is always allowed,
// so reading an allowed line as an insertion never hides a real change.
bool only_removed_lines_and_insertions(std::string_view in, std::string_view out, std::string_view target) {
  auto a = lines(in), b = lines(out);
  size_t j = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (inserted_line(b[i], target)) continue;
    if (j < a.size() && a[j] != b[i] && without_terminator(b[i]).empty()) {
      ++j;  // the removed line a[j] left an empty line
      continue;
    }
    bool last = i + 1 == b.size();
    while (j < a.size() && a[j] != b[i] &&
           !((last || j + 1 == a.size()) && without_terminator(a[j]) == without_terminator(b[i])))
      ++j;
    if (j == a.size()) return false;
    ++j;
  }
  return true;
}

bool same(const FileResult& x, const FileResult& y) {
  if (x.status != y.status || x.output != y.output || x.diagnostics.size() != y.diagnostics.size()) return false;
  for (size_t i = 0; i < x.diagnostics.size(); ++i) {
    const auto &p = x.diagnostics[i], &q = y.diagnostics[i];
    if (p.code.id != q.code.id || p.position.line != q.position.line || p.position.column != q.position.column)
      return false;
  }
  return true;
}

bool has(const FileResult& r, std::string_view code) {
  for (const auto& d : r.diagnostics)
    if (d.code.id == code) return true;
  return false;
}


// The tables each migration function creates or drops with create_table/drop_table, read by
// the compiler's own view (helpers a single function calls count as that function's).
std::set<std::string> created_or_dropped(const MigrationFunction& fn) {
  std::set<std::string> tables;
  for (const auto& op : fn.ops)
    if ((op.method == "create_table" || op.method == "drop_table") && op.table_arg == TableArg::kResolved)
      tables.insert(op.table.qualified());
  return tables;
}

// A literal names `table` as a name, as `table.column`, or as a word of SQL. A literal without
// blanks is a name, compared as written: SQLAlchemy quotes `hq_plAnts`, another table than hq_plants.
bool literal_names(std::string_view value, const std::string& table) {
  if (value == table) return true;
  if (size_t dot = value.rfind('.'); dot != std::string_view::npos && value.substr(0, dot) == table) return true;
  if (value.find_first_of(" \t\r\n") == std::string_view::npos) return false;
  for (const auto& word : read_sql(value).names)
    if (word == table) return true;
  return false;
}

// The statement of `fn`'s body (at any depth) that holds `node`: the nearest ancestor sitting
// directly in a block.
TSNode statement_of(TSNode node) {
  for (TSNode parent = ts_node_parent(node); !ts_node_is_null(parent); node = parent, parent = ts_node_parent(node))
    if (is(parent, "block")) return node;
  return node;
}

bool kept_by_pragma(const Migration& view, TSNode statement) {
  uint32_t row = ts_node_start_point(statement).row;
  for (const auto& p : view.pragmas)
    if (p.kind == PragmaKind::kKeep && p.ends_code && p.row == row) return true;
  return false;
}

// What is left of `fn` in the output names none of `gone`, but for statements a pragma keeps:
// no string literal (the compiler's plain literals) and no op call resolved to such a table.
// Returns the offending table, or "".
std::string names_a_gone_table(const SyntaxTree& tree, const Migration& view, const MigrationFunction& fn,
                               const std::set<std::string>& gone) {
  std::string found;
  for (const auto& op : fn.ops)
    if (op.helper.empty() && op.table_arg == TableArg::kResolved && gone.count(op.table.qualified()) &&
        !kept_by_pragma(view, statement_of(op.call)))
      return op.table.qualified();
  walk_preorder(fn.body, [&](TSNode node, uint32_t) {
    if (!is(node, "string") && !is(node, "concatenated_string")) return WalkStep::kDescend;
    auto value = string_value(tree, node);
    TSNode statement = statement_of(node);
    if (value && !kept_by_pragma(view, statement))
      for (const auto& table : gone)
        if (literal_names(*value, table)) {
          found = table;
          return WalkStep::kStop;
        }
    return WalkStep::kSkipChildren;
  });
  return found;
}

// A changed output: every function that lost a create_table/drop_table of a table (compared
// with the input, function by function) names that table nowhere else.
bool no_dependent_left(std::string_view input, std::string_view output, PythonParser& parser) {
  Source in_src{std::string(input)}, out_src{std::string(output)};
  SyntaxTree in_tree = parser.parse(in_src.parse_text()), out_tree = parser.parse(out_src.parse_text());
  Migration in = read_migration(in_tree), out = read_migration(out_tree);
  if (in.functions.size() != out.functions.size()) return false;  // lines removed, never a def
  for (size_t i = 0; i < in.functions.size(); ++i) {
    const auto& before = in.functions[i];
    const auto& after = out.functions[i];
    if (before.name != after.name) return false;
    std::set<std::string> gone;
    auto kept_tables = created_or_dropped(after);
    for (const auto& table : created_or_dropped(before))
      if (!kept_tables.count(table)) gone.insert(table);
    if (gone.empty()) continue;
    std::string table = names_a_gone_table(out_tree, out, after, gone);
    if (!table.empty()) {
      std::fprintf(stderr, "%s() still names \"%s\", whose create_table/drop_table was removed\n",
                   std::string(after.name).c_str(), table.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const TargetMap builtin = TargetMap::builtin();
  // Globs, a schema pattern and a shared table, which the built-in map does not exercise.
  static const TargetMap patterns = TargetMap::parse(R"(
[targets.plant]
tables = ["assets", "tickets", "st*", "dead_letter"]
[targets.hq]
tables = ["hq_*", "reporting.*", "dead_letter"]
)", "fuzz-map");
  static PythonParser parser;
  std::string input(reinterpret_cast<const char*>(data), size);
  // The first byte picks the target, whether to annotate and the map.
  std::string target = size && (data[0] & 1) ? "hq" : "plant";
  CompileOptions options;
  options.maps = size && (data[0] & 4) ? &patterns : &builtin;
  options.target = target;
  options.passes.annotate.enabled = !(size && (data[0] & 2));
  options.prefilter = false;

  FileResult full = compile_file("fuzz.py", input, options, parser);
  if (has(full, "AF204")) broken("an input that parses gives an output that parses (AF204)");

  options.prefilter = true;
  FileResult filtered = compile_file("fuzz.py", input, options, parser);
  bool accepted_syntax_error = filtered.prefiltered && has(full, "AF201");
  if (!same(full, filtered) && !accepted_syntax_error) broken("the prefilter changes no result");

  if (full.status != FileStatus::kChanged) return 0;
  Source fixed{full.output};  // without its BOM, lone CRs read as Python reads them
  if (parser.parse(fixed.parse_text()).first_error()) broken("the output parses");
  if (!only_removed_lines_and_insertions(input, full.output, target))
    broken("the output is the input less whole lines, plus pass lines and the annotation");
  if (!no_dependent_left(input, full.output, parser))
    broken("no kept statement names a table whose create_table/drop_table was removed");
  options.prefilter = false;
  FileResult second = compile_file("fuzz.py", full.output, options, parser);
  if (second.status == FileStatus::kChanged) broken("a second run changes nothing");
  return 0;
}
