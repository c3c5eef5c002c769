// The drop rules the passes share, so that the downgrade mirrors exactly what the upgrade lost
// and foreign-op does not report what mirror-downgrade removes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "passes/pass.h"

namespace alembic_fix {

// The target a function is cleaned for: its multidb engine name when that is a known target,
// the file's target for plain upgrade()/downgrade(), nullopt for an engine that is no target.
std::optional<std::string_view> function_target(const MigrationFunction& fn, const PassInput& in);

// Whose table it is for a function cleaned for `target`: for a file that serves several targets,
// its own when any of them lists it. Passes ask this, never the map directly.
Ownership ownership(const PassInput& in, const TableRef& table, std::string_view target);

// Whose table a drop in `fn` is on: ownership(), except that a table no map lists which the other
// function of the pair builds with op.create_table (upgrade creates, downgrade drops) is the file's
// own by construction. The map always wins: a listed table keeps its owner.
Ownership drop_ownership(const OpCall& op, const MigrationFunction& fn, std::string_view target, const PassInput& in);

// A drop of a table only other targets own (or, with --unknown remove, no target), unless it
// undoes the upgrade's kept create of that table. Reads in.config.drops.
bool is_removable_drop(const OpCall& op, const MigrationFunction& fn, std::string_view target, const PassInput& in);

// The same judgement ignoring `# alembic-fix: keep`: what the pragma keeps.
bool would_remove_drop(const OpCall& op, const MigrationFunction& fn, std::string_view target, const PassInput& in);

// The qualified tables whose drop leaves `upgrade` (removable drops that are whole statements).
std::vector<std::string> removed_drop_tables(const MigrationFunction& upgrade, std::string_view target,
                                             const PassInput& in);

std::string describe(const PassInput& in, const OpCall& op);  // `op.drop_table on hq_plants`

// The SQL node of op.execute("..."), op.execute(sa.text("...")), op.execute(sqltext=...).
TSNode execute_sql(const PassInput& in, const OpCall& op);

}  // namespace alembic_fix
