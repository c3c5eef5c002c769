#include "compiler/pipeline.h"

#include <algorithm>

#include <fmt/format.h>

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
                                               : std::string("invalid syntax");
  return {codes::kSyntaxError, at,
          fmt::format("{}: the file is left as it is; fix the syntax and run again", what)};
}

}  // namespace

FileResult compile_file(std::string_view display_path, std::string bytes, const CompileOptions& options,
                        PythonParser& parser) {
  FileResult result;
  Source src(std::move(bytes));
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
  const TargetMap& maps = *options.maps;

  // The file's own annotation wins; --target must agree with it.
  std::optional<std::string> target = options.target;
  if (view.annotation) {
    Position at = src.position(ts_node_start_byte(view.annotation->statement));
    const auto& value = view.annotation->value;
    if (!value) return failed(std::move(result), codes::kTargetConflict, at, "MIGRATION_TARGET is not a string literal");
    if (!maps.has_target(*value))
      return failed(std::move(result), codes::kTargetConflict, at,
                    fmt::format("MIGRATION_TARGET names \"{}\", which no map defines (known: {})", *value,
                                maps.target_names()));
    if (target && *target != *value)
      return failed(std::move(result), codes::kTargetConflict, at,
                    fmt::format("the file is annotated MIGRATION_TARGET = \"{}\" but the target is \"{}\"; "
                                "left untouched",
                                *value, *target));
    target = *value;
  }
  if (!target)
    return failed(std::move(result), codes::kNoTarget, {},
                  fmt::format("no target for this migration: pass --target or set MIGRATION_TARGET (known: {})",
                              maps.target_names()));
  result.target = *target;

  PassInput input{src, tree, view, result.target, maps, options.unknown, options.annotate};
  std::vector<Removal> removals;
  std::vector<Edit> edits;
  for (const Pass& pass : all_passes()) {
    PassOutput out = pass.run(input);
    removals.insert(removals.end(), out.removals.begin(), out.removals.end());
    edits.insert(edits.end(), std::make_move_iterator(out.edits.begin()), std::make_move_iterator(out.edits.end()));
    result.diagnostics.insert(result.diagnostics.end(), out.diagnostics.begin(), out.diagnostics.end());
  }
  std::vector<Edit> lowered = tidy_removals(input, removals, result.diagnostics);
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
  SyntaxTree check = parser.parse(text);
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
