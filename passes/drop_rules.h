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
// its own when any of them lists it. Passes ask this, never the map directly. The map wins; the
// history (in.history) only makes a table own: a table no map lists that only this target's
// migrations created, or a move (moved_here).
Ownership ownership(const PassInput& in, const TableRef& table, std::string_view target);

// Whose table a drop in `fn` is on: ownership(), except that a table no map lists which the other
// function of the pair builds with op.create_table (upgrade creates, downgrade drops) is the file's
// own by construction. The map always wins: a listed table keeps its owner. Then the history, the
// other way: a table no map lists that only another target's migrations created is foreign. Only
// drops ask this, as the prefilter proves nothing about history for the passes that report other
// operations.
Ownership drop_ownership(const OpCall& op, const MigrationFunction& fn, std::string_view target, const PassInput& in);

// A move: the map gives the table only to other targets, but a migration of `target` (or of a
// target the file also serves) created it. That migration, or nullptr (also without history).
const TableCreation* moved_here(const PassInput& in, const TableRef& table, std::string_view target);

// The file's own revision (empty when not a literal): the history it is judged against leaves
// that migration out, so its own creates never make a table its target's.
std::string_view own_revision(const PassInput& in);

// The one target's migration that created a table no map lists, or nullptr.
const TableCreation* history_owner(const PassInput& in, const TableRef& table);

// A drop of a table only other targets own (or, with --unknown remove, no target), unless it
// undoes the upgrade's kept create of that table. Reads in.config.drops.
bool is_removable_drop(const OpCall& op, const MigrationFunction& fn, std::string_view target, const PassInput& in);

// The same judgement ignoring `# alembic-fix: keep`: what the pragma keeps.
bool would_remove_drop(const OpCall& op, const MigrationFunction& fn, std::string_view target, const PassInput& in);

// The qualified tables whose drop leaves `upgrade` (removable drops that are whole statements).
std::vector<std::string> removed_drop_tables(const MigrationFunction& upgrade, std::string_view target,
                                             const PassInput& in);

// `fn` is a downgrade() whose paired upgrade() creates the table (op.create_table): the file's own.
bool undoes_upgrade_create(const MigrationFunction& fn, const PassInput& in, const TableRef& table);

std::string describe(const PassInput& in, const OpCall& op);  // `op.drop_table on hq_plants`
std::string describe(const TableCreation& c);  // `plant's migration 1a2b (versions/1a2b_x.py)`

// The SQL node of op.execute("..."), op.execute(sa.text("...")), op.execute(sqltext=...).
TSNode execute_sql(const PassInput& in, const OpCall& op);

}  // namespace alembic_fix
