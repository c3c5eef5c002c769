// The MIGRATION_TARGET line annotate-target (passes/annotate_target.cpp) inserts, and where: one
// function, so that the pipeline's unparsed path (the byte scan knows where the revision
// identifiers end, compiler/prefilter.h) inserts byte for byte what the pass would.
#pragma once

#include <string_view>

#include "compiler/diagnostics.h"
#include "compiler/edits.h"
#include "compiler/source.h"

namespace alembic_fix {

inline constexpr Code kAnnotateTarget{"AF003", "annotate-target", Severity::kFix,
                                      "MIGRATION_TARGET added after the revision identifiers"};

struct AnnotationLine {
  Edit edit;
  Diagnostic diagnostic;  // AF003, at the inserted line
};

// `identifiers_end`: one past the last byte of the last revision identifier statement. The line
// goes after that statement's line, ending as the file's lines end.
AnnotationLine annotation_line(const Source& src, size_t identifiers_end, std::string_view target);

}  // namespace alembic_fix
