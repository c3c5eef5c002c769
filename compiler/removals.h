// Removals: the statements passes delete, lowered to line-exact edits. Passes never reason about
// blank lines, emptied blocks or each other's removals; this step does, once, for all of them.
#pragma once

#include <span>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/edits.h"
#include "compiler/migration.h"
#include "compiler/source.h"
#include "compiler/syntax.h"

namespace alembic_fix {

// A whole statement to delete.
struct Removal {
  TSNode statement;
};

// Edits that leave the file as if the removed statements had never been written: whole lines,
// no blank-line debris, `pass` in a block left empty, a batch block whose statements all go
// removed whole. A statement that shares its line with other code is not removed: an AF205
// diagnostic says so instead.
std::vector<Edit> lower_removals(const Source& src, const Migration& view, std::span<const Removal> removals,
                                 std::vector<Diagnostic>& diagnostics);

}  // namespace alembic_fix
