// annotate-target: `MIGRATION_TARGET = "<target>"` on its own line right after the revision
// identifiers, so the file says which database it is for. Idempotent: an existing annotation
// for this target is left as written (a conflicting one is rejected before passes run).
#include <fmt/format.h>

#include "passes/pass.h"

namespace alembic_fix {
namespace {

constexpr Code kAnnotate{"AF003", "annotate-target", Severity::kFix,
                         "MIGRATION_TARGET added after the revision identifiers"};
constexpr Code kCodes[] = {kAnnotate};

// Reads in.config.annotate (--no-annotate).
PassOutput run(const PassInput& in) {
  PassOutput out;
  if (!in.config.annotate.enabled || in.view.annotation || ts_node_is_null(in.view.identifiers_end)) return out;
  // A file for several targets (branch_labels naming them, multidb upgrade_<engine>()) is no one
  // target's: an annotation would make the others refuse it.
  if (!in.also.empty()) return out;
  for (const auto& fn : in.view.functions)
    if (!fn.engine.empty()) return out;
  size_t end = ts_node_end_byte(in.view.identifiers_end);
  size_t at = in.source.line_end(end > 0 ? end - 1 : 0);
  std::string line = fmt::format("MIGRATION_TARGET = \"{}\"", in.target);
  std::string_view terminator = in.source.line_terminator(end > 0 ? end - 1 : 0);
  // The identifiers end the file without a final newline: start a line, keep the file's ending.
  std::string text = terminator.empty() ? std::string(in.source.newline()) + line
                                        : line + std::string(terminator);
  out.edits.push_back({at, at, std::move(text)});
  out.diagnostics.push_back({kAnnotate, in.source.position(at),
                             fmt::format("MIGRATION_TARGET = \"{}\" added after the revision identifiers",
                                         in.target)});
  return out;
}

}  // namespace

extern const Pass annotate_target_pass{"annotate-target", run, kCodes, kAnnotatedForTarget};

}  // namespace alembic_fix
