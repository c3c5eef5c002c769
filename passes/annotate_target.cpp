// annotate-target: `MIGRATION_TARGET = "<target>"` on its own line right after the revision
// identifiers, so the file says which database it is for. Idempotent: an existing annotation
// for this target is left as written (a conflicting one is rejected before passes run). The line
// itself is compiler/annotation.h's, which the pipeline's unparsed path inserts too.
#include "compiler/annotation.h"
#include "passes/pass.h"

namespace alembic_fix {
namespace {

constexpr Code kCodes[] = {kAnnotateTarget};

// Reads in.config.annotate (--no-annotate).
PassOutput run(const PassInput& in) {
  PassOutput out;
  if (!in.config.annotate.enabled || in.view.annotation || ts_node_is_null(in.view.identifiers_end)) return out;
  // A file for several targets (branch_labels naming them, multidb upgrade_<engine>()) is no one
  // target's: an annotation would make the others refuse it.
  if (!in.also.empty()) return out;
  for (const auto& fn : in.view.functions)
    if (!fn.engine.empty()) return out;
  AnnotationLine line = annotation_line(in.source, ts_node_end_byte(in.view.identifiers_end), in.target);
  out.edits.push_back(std::move(line.edit));
  out.diagnostics.push_back(std::move(line.diagnostic));
  return out;
}

}  // namespace

extern const Pass annotate_target_pass{"annotate-target", run, kCodes, kAnnotatedForTarget};

}  // namespace alembic_fix
