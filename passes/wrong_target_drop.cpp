// wrong-target-drop: a drop_table / drop_index / drop_constraint / drop_column on a table that
// only other targets own is removed, at any depth of upgrade() and downgrade(). A table no map
// lists is kept and named (--unknown), a table whose name is not static is reported, not guessed.
#include <fmt/format.h>

#include "passes/drop_rules.h"

namespace alembic_fix {
namespace {

constexpr Code kWrongTargetDrop{"AF001", "wrong-target-drop", Severity::kFix,
                                "A drop of a table only another target owns: removed"};
constexpr Code kUnknownTable{"AF102", "unknown-table", Severity::kWarning, "A drop of a table that no map lists: kept"};
constexpr Code kUnknownTableError{"AF102", "unknown-table", Severity::kError, kUnknownTable.summary};  // --unknown error
constexpr Code kUnresolvedTable{"AF103", "unresolved-table", Severity::kWarning,
                                "A drop whose table is not a string literal: kept, never guessed"};
constexpr Code kCodes[] = {kWrongTargetDrop, kUnknownTable, kUnresolvedTable};

std::string owners_text(const PassInput& in, const TableRef& table) {
  std::string out;
  for (auto o : in.maps.owners(table)) out += (out.empty() ? "" : " and ") + std::string(o);
  if (const TableCreation* c = out.empty() ? history_owner(in, table) : nullptr)  // no map lists it
    out = fmt::format("{} ({} created it)", c->target, describe(*c));
  return out;
}

// Why the history did not decide a table no map lists, when several targets' migrations create it.
std::string ambiguity(const PassInput& in, const TableRef& table) {
  if (!in.history) return "";
  std::vector<std::string_view> targets;
  for (const TableCreation* c : in.history->tables_for(table).creations(table, own_revision(in)))
    targets.push_back(c->target);
  if (targets.size() < 2) return "";
  return fmt::format(" and the migrations of {} all create it", fmt::join(targets, " and "));
}

PassOutput run(const PassInput& in) {
  PassOutput out;
  for (const auto& fn : in.view.functions) {
    auto target = function_target(fn, in);
    if (!target) continue;
    for (const auto& op : fn.ops) {
      if (!is_drop(op.method) || op.kept) continue;  // a kept drop: the pragma pass reports it
      Position at = in.source.position(ts_node_start_byte(op.call));
      if (op.table_arg != TableArg::kResolved) {
        std::string_view why = op.table_arg == TableArg::kNone ? "names no table (pass table_name=)"
                                                                : "its table is not a string literal";
        out.diagnostics.push_back({kUnresolvedTable, at,
                                   fmt::format("{} in {}(): {}; left as is", describe(in, op), fn.name, why)});
        continue;
      }
      Ownership ownership = drop_ownership(op, fn, *target, in);
      if (ownership == Ownership::kUnknown && in.config.drops.unknown != UnknownPolicy::kRemove) {
        bool error = in.config.drops.unknown == UnknownPolicy::kError;
        out.diagnostics.push_back({error ? kUnknownTableError : kUnknownTable, at,
                                   fmt::format("table \"{}\" is in no target map{}; {}", op.table.qualified(),
                                               ambiguity(in, op.table),
                                               error ? "add it to a map or pass --unknown keep"
                                                     : "kept (add it to a map, or --unknown remove)")});
        continue;
      }
      if (!is_removable_drop(op, fn, *target, in)) continue;
      if (ts_node_is_null(op.statement)) {
        out.diagnostics.push_back({codes::kUnsafeRemoval, at,
                                   fmt::format("{} is part of a larger expression; remove it by hand",
                                               describe(in, op))});
        continue;
      }
      std::string owner = ownership == Ownership::kUnknown ? "no target" : owners_text(in, op.table);
      // A version table is in no `tables` list: say why it is another target's.
      std::string why = ownership == Ownership::kForeign && in.maps.is_version_table(op.table)
                            ? fmt::format("it is {}'s Alembic version table, not {}'s", owner, *target)
                            : fmt::format("the table belongs to {}, not {}", owner, *target);
      out.removals.push_back({op.statement});
      out.diagnostics.push_back(
          {kWrongTargetDrop, at, fmt::format("{} in {}(): {}", describe(in, op), fn.name, why)});
    }
  }
  return out;
}

}  // namespace

// A file the prefilter accepts has only drops of its own tables, all for the file's target.
extern const Pass wrong_target_drop_pass{"wrong-target-drop", run, kCodes, kDropsNameOwnTables | kOneTarget | kPlainOp};

}  // namespace alembic_fix
