// Imports left unused by the removals. On PostgreSQL (and MySQL, ...) autogenerate re-creates the
// other database's tables with dialect types (`postgresql.ENUM(...)`) and writes
// `from sqlalchemy.dialects import postgresql` for them; once those re-creations go, a clean
// autogenerate would not have written the import. It goes too, and only it: an import the file's
// kept code uses, one nothing used, or one a person wrote in another shape stays.
//
// A step after the passes rather than a pass: what is unused depends on every removal, the
// dependents' included, and passes never see each other's output.
#pragma once

#include <span>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/edits.h"
#include "compiler/removals.h"
#include "compiler/source.h"
#include "compiler/syntax.h"

namespace alembic_fix {

// Its code, AF005, is in compiler/diagnostics.h with the compiler's own.

struct UnusedImports {
  std::vector<Removal> removals;  // module-level import statements that go
  std::vector<Diagnostic> diagnostics;
};

// `removal_edits`: the removals already lowered (compiler/removals.h); the bytes they replace are
// gone, so a name whose every use lies in them is used only by removed statements.
UnusedImports find_unused_imports(const Source& src, const SyntaxTree& tree, std::span<const Edit> removal_edits);

}  // namespace alembic_fix
