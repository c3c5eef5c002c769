#include "compiler/pipeline.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/encoding.h"
#include "compiler/prefilter.h"
#include "compiler/removals.h"
#include "passes/pass.h"

namespace alembic_fix {
namespace {

FileResult failed(FileResult result, Code code, Position at, std::string message) {
  result.status = FileStatus::kError;
  result.output.clear();
  result.diff.clear();
  result.diagnostics.push_back({code, at, std::move(message)});
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

}  // namespace

FileResult compile_file(std::string_view display_path, std::string bytes, const CompileOptions& options,
                        PythonParser& parser, std::optional<std::string> folder_target) {
  FileResult result;
  // The byte scan may skip a file only when its proof covers every pass (passes/pass.h).
  static const bool prefilter_sound = prefilter_covers_passes();
  if (options.prefilter && prefilter_sound) {
    std::string_view text = bytes;
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (auto target = proven_clean(text, *options.maps, {options.target, options.target_from_environment, folder_target})) {
      result.target = std::move(*target);
      result.target_rule = TargetRule::kAnnotation;
      result.target_evidence = fmt::format("the annotation MIGRATION_TARGET = \"{}\"", result.target);
      result.prefiltered = true;
      return result;
    }
  }
  Source src(std::move(bytes));
  if (auto problem = encoding_problem(src)) {
    result.status = FileStatus::kError;
    result.diagnostics.push_back(std::move(*problem));
    return result;
  }
  SyntaxTree tree = parser.parse(src.text());
  if (auto error = tree.first_error()) {
    result.status = FileStatus::kError;
    result.diagnostics.push_back(syntax_error(src, *error));
    return result;
  }
  Migration view = read_migration(tree);
  if (!view.is_migration) {
    result.status = FileStatus::kNotMigration;
    return result;
  }
  TargetHints hints{options.target, options.target_from_environment, std::move(folder_target)};
  auto decision = decide_target(src, view, *options.maps, hints);
  if (auto* error = std::get_if<Diagnostic>(&decision)) {
    result.status = FileStatus::kError;
    result.diagnostics.push_back(std::move(*error));
    return result;
  }
  auto& decided = std::get<TargetDecision>(decision);
  result.target = std::move(decided.target);
  result.target_rule = decided.rule;
  result.target_evidence = std::move(decided.evidence);
  const TargetMap& maps = *options.maps;

  PassInput input{src, tree, view, result.target, maps, options.passes};
  std::vector<Removal> removals;
  std::vector<Edit> edits;
  for (const Pass* pass : all_passes()) {
    PassOutput out = pass->run(input);
    removals.insert(removals.end(), out.removals.begin(), out.removals.end());
    edits.insert(edits.end(), std::make_move_iterator(out.edits.begin()), std::make_move_iterator(out.edits.end()));
    result.diagnostics.insert(result.diagnostics.end(), out.diagnostics.begin(), out.diagnostics.end());
  }
  std::vector<Edit> lowered = lower_removals(src, view, removals, result.diagnostics);
  edits.insert(edits.end(), std::make_move_iterator(lowered.begin()), std::make_move_iterator(lowered.end()));
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.position.line != b.position.line ? a.position.line < b.position.line : a.position.column < b.position.column;
  });
  bool any_error = std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                               [](const Diagnostic& d) { return d.code.severity == Severity::kError; });
  if (any_error) {
    result.status = FileStatus::kError;
    return result;
  }
  if (edits.empty()) return result;

  try {
    edits = sorted_edits(std::move(edits));
  } catch (const OverlapError& e) {
    return failed(std::move(result), codes::kInternalError, {}, fmt::format("{}; the file is left untouched", e.what()));
  }
  std::string text = splice(src.text(), edits);
  // Never hand back something that does not parse: that would be our bug, not the user's.
  SyntaxTree check = parser.reparse(tree, text, edits);
  if (auto error = check.first_error()) {
    Source out_src(text);
    Position at = out_src.position(ts_node_start_byte(*error));
    return failed(std::move(result), codes::kInternalError, {},
                  fmt::format("the fixed file would not parse (line {}:{}); left untouched, please report this",
                              at.line, at.column));
  }
  if (options.want_diff) result.diff = unified_diff(src.text(), edits, display_path);
  result.output.reserve(src.bom().size() + text.size());
  result.output.append(src.bom());
  result.output.append(text);
  result.status = FileStatus::kChanged;
  return result;
}

}  // namespace alembic_fix
