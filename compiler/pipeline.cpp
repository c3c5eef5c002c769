#include "compiler/pipeline.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/dependents.h"
#include "compiler/encoding.h"
#include "compiler/prefilter.h"
#include "compiler/removals.h"
#include "compiler/unused_imports.h"
#include "passes/pass.h"

namespace alembic_fix {
namespace {

FileResult failed(FileResult result, Diagnostic diagnostic) {
  result.status = FileStatus::kError;
  result.output.clear();
  result.diff.clear();
  result.diagnostics.push_back(std::move(diagnostic));
  return result;
}

Diagnostic syntax_error(const Source& src, TSNode error) {
  Position at = src.position(ts_node_start_byte(error));
  std::string what = ts_node_is_missing(error) ? fmt::format("missing \"{}\"", ts_node_type(error))
                     : is(error, "block")     ? std::string("expected an indented block")
                                              : std::string("invalid syntax");
  return {codes::kSyntaxError, at,
          fmt::format("{}: the file is left as it is; fix the syntax and run again", what)};
}

// A diagnostic is one line whatever the code it quotes: a line break inside a quoted call or a
// triple-quoted name is written as an escape, so `path:line:col: CODE message` stays parseable.
void keep_on_one_line(std::vector<Diagnostic>& diagnostics) {
  for (auto& d : diagnostics) {
    if (d.message.find_first_of("\r\n") == std::string::npos) continue;
    std::string out;
    for (char c : d.message) out += c == '\n' ? std::string("\\n") : c == '\r' ? std::string("\\r") : std::string(1, c);
    d.message = std::move(out);
  }
}

// The byte scan's verdict: true (and `result` filled) when it proves the file needs nothing.
// It may decide only when its proof covers every registered pass (passes/pass.h).
bool proven_clean_by_scan(std::string_view bytes, const CompileOptions& options,
                          const std::optional<std::string>& folder_target, FileResult& result) {
  static const bool prefilter_sound = prefilter_covers_passes();
  if (!options.prefilter || !prefilter_sound) return false;
  std::string_view text = bytes;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // the UTF-8 BOM Source strips too
  auto target = proven_clean(text, *options.maps, {options.target, options.target_from_environment, folder_target});
  if (!target) return false;
  result.target = std::move(*target);
  result.target_rule = TargetRule::kAnnotation;
  result.target_evidence = fmt::format("the annotation MIGRATION_TARGET = \"{}\"", result.target);
  result.prefiltered = true;
  return true;
}

// Every pass's output gathered: its removals lowered to edits, its diagnostics in line order.
std::vector<Edit> run_passes(const PassInput& input, std::vector<Diagnostic>& diagnostics) {
  std::vector<Removal> removals;
  std::vector<Edit> edits;
  for (const Pass* pass : all_passes()) {
    PassOutput out = pass->run(input);
    removals.insert(removals.end(), out.removals.begin(), out.removals.end());
    edits.insert(edits.end(), std::make_move_iterator(out.edits.begin()), std::make_move_iterator(out.edits.end()));
    diagnostics.insert(diagnostics.end(), out.diagnostics.begin(), out.diagnostics.end());
  }
  // What needs a table whose create or drop goes, goes with it or refuses the file.
  std::vector<TSNode> removed;
  for (const Removal& r : removals) removed.push_back(r.statement);
  std::vector<TSNode> kept;  // `# alembic-fix: keep`: never judged, never removed
  for (const auto& fn : input.view.functions)
    for (const auto& op : fn.ops)
      if (op.kept) kept.push_back(op.statement);
  Dependents dependents = find_dependents(input.source, input.tree, input.view, removed, kept);
  for (TSNode n : dependents.removals) removals.push_back({n});
  diagnostics.insert(diagnostics.end(), dependents.diagnostics.begin(), dependents.diagnostics.end());
  std::vector<Edit> lowered = lower_removals(input.source, input.view, removals, diagnostics);
  // A dialect import that only the removed statements used goes after them.
  UnusedImports imports = find_unused_imports(input.source, input.tree, lowered);
  diagnostics.insert(diagnostics.end(), imports.diagnostics.begin(), imports.diagnostics.end());
  std::vector<Edit> import_edits = lower_removals(input.source, input.view, imports.removals, diagnostics);
  lowered.insert(lowered.end(), std::make_move_iterator(import_edits.begin()), std::make_move_iterator(import_edits.end()));
  keep_on_one_line(diagnostics);
  edits.insert(edits.end(), std::make_move_iterator(lowered.begin()), std::make_move_iterator(lowered.end()));
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.position.line != b.position.line ? a.position.line < b.position.line : a.position.column < b.position.column;
  });
  return edits;
}

// Applies the edits and hands back the new file, or AF204 when they overlap or the result would
// not parse: never hand back something that does not parse, that would be our bug.
FileResult apply_edits(FileResult result, const Source& src, const SyntaxTree& tree, std::vector<Edit> edits,
                       std::string_view display_path, bool want_diff, PythonParser& parser) {
  try {
    edits = sorted_edits(std::move(edits));
  } catch (const OverlapError& e) {
    return failed(std::move(result), {codes::kInternalError, {}, fmt::format("{}; the file is left untouched", e.what())});
  }
  std::string text = splice(src.text(), edits);
  // The parser reads lone CRs as LF (Source::parse_text): so must the check.
  std::string lf_text = has_lone_cr(src.text()) ? with_lf_line_ends(text) : std::string();
  SyntaxTree check = parser.reparse(tree, lf_text.empty() ? std::string_view(text) : std::string_view(lf_text), edits);
  if (auto error = check.first_error()) {
    Position at = Source(text).position(ts_node_start_byte(*error));
    return failed(std::move(result),
                  {codes::kInternalError, {},
                   fmt::format("the fixed file would not parse (line {}:{}); left untouched, please report this",
                               at.line, at.column)});
  }
  if (want_diff) result.diff = unified_diff(src.text(), edits, display_path);
  result.output.reserve(src.bom().size() + text.size());
  result.output.append(src.bom());
  result.output.append(text);
  result.status = FileStatus::kChanged;
  return result;
}

}  // namespace

FileResult compile_file(std::string_view display_path, std::string bytes, const CompileOptions& options,
                        PythonParser& parser, std::optional<std::string> folder_target, MigrationHistory* history) {
  FileResult result;
  if (proven_clean_by_scan(bytes, options, folder_target, result)) return result;
  Source src(std::move(bytes));
  if (auto problem = encoding_problem(src)) return failed(std::move(result), std::move(*problem));
  SyntaxTree tree = parser.parse(src.parse_text());
  if (auto error = tree.first_error()) return failed(std::move(result), syntax_error(src, *error));
  Migration view = read_migration(tree);
  if (!view.is_migration) {
    result.status = FileStatus::kNotMigration;
    return result;
  }
  if (view.skip_file) return result;  // `# alembic-fix: skip-file`: the user's word, unchanged
  auto decision = decide_target(src, view, *options.maps, {options.target, options.target_from_environment,
                                                           std::move(folder_target)});
  if (auto* error = std::get_if<Diagnostic>(&decision)) return failed(std::move(result), std::move(*error));
  auto& decided = std::get<TargetDecision>(decision);
  result.target = std::move(decided.target);
  result.target_rule = decided.rule;
  result.target_evidence = std::move(decided.evidence);

  std::vector<Edit> edits =
      run_passes({src, tree, view, result.target, *options.maps, options.passes, decided.also, history},
                 result.diagnostics);
  bool any_error = std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                               [](const Diagnostic& d) { return d.code.severity == Severity::kError; });
  if (any_error) {
    result.status = FileStatus::kError;  // diagnostics kept: every problem of the file is reported
    return result;
  }
  if (edits.empty()) return result;
  return apply_edits(std::move(result), src, tree, std::move(edits), display_path, options.want_diff, parser);
}

}  // namespace alembic_fix
