#include "compiler/pipeline.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/annotation.h"
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

// The result of a file whose new text is `text`: src with the (sorted) edits spliced in.
FileResult changed(FileResult result, const Source& src, const std::vector<Edit>& edits, std::string text,
                   std::string_view display_path, bool want_diff) {
  if (want_diff) result.diff = unified_diff(src.text(), edits, display_path);
  result.output.reserve(src.bom().size() + text.size());
  result.output.append(src.bom());
  result.output.append(text);
  result.status = FileStatus::kChanged;
  return result;
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
  return changed(std::move(result), src, edits, std::move(text), display_path, want_diff);
}

// A file the scan proved needs nothing, or nothing but its annotation (compiler/prefilter.h):
// the result the full pipeline gives it, without a parse. The target is decided as for the full
// path, from the hints alone: the scan proved the file has no opinion that could disagree.
std::optional<FileResult> scanned_result(const ScanVerdict& verdict, const Source* src, const TargetHints& hints,
                                         const CompileOptions& options, std::string_view display_path) {
  FileResult result;
  result.prefiltered = true;
  result.target = verdict.target;
  if (!verdict.annotate_after) {
    result.target_rule = TargetRule::kAnnotation;
    result.target_evidence = fmt::format("the annotation MIGRATION_TARGET = \"{}\"", result.target);
    return result;
  }
  auto decision = decide_target(*src, Migration{}, *options.maps, hints);
  auto* decided = std::get_if<TargetDecision>(&decision);
  if (!decided || decided->target != verdict.target) return std::nullopt;  // the parser decides
  result.target_rule = decided->rule;
  result.target_evidence = std::move(decided->evidence);
  if (!options.passes.annotate.enabled) return result;
  AnnotationLine line = annotation_line(*src, *verdict.annotate_after, result.target);
  result.diagnostics.push_back(std::move(line.diagnostic));
  std::vector<Edit> edits{std::move(line.edit)};
  std::string text = splice(src->text(), edits);
  return changed(std::move(result), *src, edits, std::move(text), display_path, options.want_diff);
}

// PEP 263 allows a cookie on the first two lines only.
bool mentions_coding(std::string_view text) {
  size_t second_line_end = text.find('\n', text.find('\n') + 1);
  return text.substr(0, second_line_end).find("coding") != std::string_view::npos;
}

}  // namespace

FileResult compile_file(std::string_view display_path, std::string bytes, const CompileOptions& options,
                        PythonParser& parser, std::optional<std::string> folder_target, MigrationHistory* history) {
  TargetHints hints{options.target, options.target_from_environment, std::move(folder_target)};
  // The byte scan first, when its proof covers every registered pass (passes/pass.h). A file
  // with a coding cookie has its encoding checked first, so the scan may accept a UTF-8 one.
  static const bool prefilter_sound = prefilter_covers_passes();
  std::optional<Source> src;
  bool encoding_checked = false;
  if (options.prefilter && prefilter_sound) {
    std::string_view text = bytes;
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // the UTF-8 BOM Source strips too
    std::optional<ScanVerdict> verdict;
    if (!mentions_coding(text)) {
      verdict = scan_file(text, *options.maps, hints);
    } else {
      src.emplace(std::move(bytes));
      if (auto problem = encoding_problem(*src)) return failed(FileResult{}, std::move(*problem));
      encoding_checked = true;
      verdict = scan_file(src->text(), *options.maps, hints, true);
    }
    if (verdict && verdict->annotate_after && !src) src.emplace(std::move(bytes));
    if (verdict)
      if (auto result = scanned_result(*verdict, src ? &*src : nullptr, hints, options, display_path))
        return std::move(*result);
  }
  FileResult result;
  if (!src) src.emplace(std::move(bytes));
  if (!encoding_checked)
    if (auto problem = encoding_problem(*src)) return failed(std::move(result), std::move(*problem));
  SyntaxTree tree = parser.parse(src->parse_text());
  if (auto error = tree.first_error()) return failed(std::move(result), syntax_error(*src, *error));
  Migration view = read_migration(tree);
  if (!view.is_migration) {
    result.status = FileStatus::kNotMigration;
    return result;
  }
  if (view.skip_file) return result;  // `# alembic-fix: skip-file`: the user's word, unchanged
  auto decision = decide_target(*src, view, *options.maps, hints);
  if (auto* error = std::get_if<Diagnostic>(&decision)) return failed(std::move(result), std::move(*error));
  auto& decided = std::get<TargetDecision>(decision);
  result.target = std::move(decided.target);
  result.target_rule = decided.rule;
  result.target_evidence = std::move(decided.evidence);

  std::vector<Edit> edits =
      run_passes({*src, tree, view, result.target, *options.maps, options.passes, decided.also, history},
                 result.diagnostics);
  bool any_error = std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                               [](const Diagnostic& d) { return d.code.severity == Severity::kError; });
  if (any_error) {
    result.status = FileStatus::kError;  // diagnostics kept: every problem of the file is reported
    return result;
  }
  if (edits.empty()) return result;
  return apply_edits(std::move(result), *src, tree, std::move(edits), display_path, options.want_diff, parser);
}

}  // namespace alembic_fix
