#include "passes/drop_rules.h"

#include <algorithm>

#include <fmt/format.h>

namespace alembic_fix {

std::optional<std::string_view> function_target(const MigrationFunction& fn, const PassInput& in) {
  if (fn.engine.empty()) return in.target;
  if (in.maps.has_target(fn.engine)) return fn.engine;
  return std::nullopt;
}

// A downgrade drop that reverses an upgrade's (kept, warned) create of a foreign table stays:
// removing it would make the downgrade leave that table behind.
static bool upgrade_builds(const MigrationFunction* upgrade, const TableRef& table) {
  if (!upgrade) return false;
  return std::any_of(upgrade->ops.begin(), upgrade->ops.end(), [&](const OpCall& op) {
    return op.table_arg == TableArg::kResolved && !is_drop(op.method) &&
           op.table.qualified() == table.qualified();
  });
}

// Only a downgrade undoing its upgrade's create_table: an upgrade drop whose downgrade re-creates
// the table is what autogenerate writes for every foreign table, so it proves nothing.
bool undoes_upgrade_create(const MigrationFunction& fn, const PassInput& in, const TableRef& table) {
  const MigrationFunction* upgrade = fn.role == FunctionRole::kDowngrade ? in.view.upgrade_for(fn) : nullptr;
  if (!upgrade) return false;
  return std::any_of(upgrade->ops.begin(), upgrade->ops.end(), [&](const OpCall& op) {
    return op.table_arg == TableArg::kResolved && op.method == "create_table" &&
           op.table.qualified() == table.qualified();
  });
}

// The map's word alone.
static Ownership map_ownership(const PassInput& in, const TableRef& table, std::string_view target) {
  Ownership result = in.maps.classify(table, target);
  if (target != in.target) return result;  // a multidb engine's function: its own target alone
  for (const auto& other : in.also) {
    Ownership o = in.maps.classify(table, other);
    if (o == Ownership::kOwn) return o;
  }
  return result;
}

// The targets a function cleaned for `target` serves: several for a file whose branch_labels
// name several.
static bool serves(const PassInput& in, std::string_view target, std::string_view candidate) {
  if (candidate == target) return true;
  return target == in.target && std::find(in.also.begin(), in.also.end(), candidate) != in.also.end();
}

// The file's own revision: the history it is judged against leaves it out.
std::string_view own_revision(const PassInput& in) {
  if (!in.view.revision) return {};
  return *in.view.revision;  // not `?:` with "": that would copy it into a temporary
}

const TableCreation* moved_here(const PassInput& in, const TableRef& table, std::string_view target) {
  if (!in.history || map_ownership(in, table, target) != Ownership::kForeign) return nullptr;
  for (const TableCreation* c : in.history->tables_for(table).creations(table, own_revision(in)))
    if (serves(in, target, c->target)) return c;
  return nullptr;
}

const TableCreation* history_owner(const PassInput& in, const TableRef& table) {
  return in.history ? in.history->tables_for(table).sole_creation(table, own_revision(in)) : nullptr;
}

Ownership ownership(const PassInput& in, const TableRef& table, std::string_view target) {
  Ownership result = map_ownership(in, table, target);
  if (!in.history || result == Ownership::kOwn) return result;
  if (result == Ownership::kForeign) return moved_here(in, table, target) ? Ownership::kOwn : result;
  const TableCreation* owner = history_owner(in, table);
  return owner && serves(in, target, owner->target) ? Ownership::kOwn : result;
}

Ownership drop_ownership(const OpCall& op, const MigrationFunction& fn, std::string_view target,
                         const PassInput& in) {
  Ownership result = ownership(in, op.table, target);
  if (result != Ownership::kUnknown) return result;
  if (undoes_upgrade_create(fn, in, op.table)) return Ownership::kOwn;
  return history_owner(in, op.table) ? Ownership::kForeign : result;  // another target's, or ownership() said own
}

bool is_removable_drop(const OpCall& op, const MigrationFunction& fn, std::string_view target,
                       const PassInput& in) {
  return !op.kept && would_remove_drop(op, fn, target, in);
}

bool would_remove_drop(const OpCall& op, const MigrationFunction& fn, std::string_view target,
                       const PassInput& in) {
  if (!is_drop(op.method) || op.table_arg != TableArg::kResolved) return false;
  Ownership ownership = drop_ownership(op, fn, target, in);
  bool foreign = ownership == Ownership::kForeign ||
                 (ownership == Ownership::kUnknown && in.config.drops.unknown == UnknownPolicy::kRemove);
  if (!foreign) return false;
  if (fn.role == FunctionRole::kDowngrade && upgrade_builds(in.view.upgrade_for(fn), op.table)) return false;
  return true;
}

std::vector<std::string> removed_drop_tables(const MigrationFunction& upgrade, std::string_view target,
                                             const PassInput& in) {
  std::vector<std::string> out;
  for (const auto& op : upgrade.ops)
    if (!ts_node_is_null(op.statement) && is_removable_drop(op, upgrade, target, in)) out.push_back(op.table.qualified());
  return out;
}

std::string describe(const TableCreation& c) {
  if (c.revision.empty()) return fmt::format("{}'s migration {}", c.target, c.path);
  return fmt::format("{}'s migration {} ({})", c.target, c.revision, c.path);
}

std::string describe(const PassInput& in, const OpCall& op) {
  // The called expression as written, its line breaks and parentheses dropped: `(op\n .drop_table)`
  // reads `op.drop_table`.
  std::string head;
  for (char c : in.tree.text(field(op.call, "function")))
    if (c != '(' && c != ')' && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\\') head += c;
  std::string where = op.helper.empty() ? "" : fmt::format(" (in {}())", op.helper);
  if (op.table_arg != TableArg::kResolved) return head + where;
  return fmt::format("{} on {}{}", head, op.table.qualified(), where);
}

TSNode execute_sql(const PassInput& in, const OpCall& op) {
  Arguments args = read_arguments(in.tree, op.call);
  TSNode sql = args.positional.empty() ? args.keyword("sqltext") : args.positional[0];
  if (is(sql, "call")) {
    Arguments inner = read_arguments(in.tree, sql);
    if (!inner.positional.empty()) sql = inner.positional[0];
  }
  return sql;
}

}  // namespace alembic_fix
