// Dependency-safe removal. After the passes decide which statements go, a kept statement of the
// same function may still need a table whose create_table or drop_table went: seeding rows into
// it, an index or constraint on it, SQL that writes to it, an own table's foreign key to it.
// Left in place, `alembic downgrade` fails with "no such table". Each such statement either goes
// with the removed one (it is part of the same re-creation or drop: its own table is the removed
// one) or, when it is the file's own work that needs the foreign table, the whole file is refused
// with both lines named: only a person can say which of the two is wrong.
#pragma once

#include <span>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/migration.h"
#include "compiler/source.h"
#include "compiler/syntax.h"

namespace alembic_fix {

// Its codes, AF004 and AF208, are in compiler/diagnostics.h with the compiler's own.

struct Dependents {
  std::vector<TSNode> removals;  // statements that go with a removed create/drop
  std::vector<Diagnostic> diagnostics;
};

// `removed`: the statements the passes remove; `kept`: statements a pragma keeps, never touched.
Dependents find_dependents(const Source& src, const SyntaxTree& tree, const Migration& view,
                           std::span<const TSNode> removed, std::span<const TSNode> kept);

}  // namespace alembic_fix
