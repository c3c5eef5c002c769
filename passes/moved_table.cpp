// moved-table: a table the map gives to another target that this target's own history created
// (a migration of this target created it) is a move, not pollution: its drop is kept (drop_rules'
// ownership() makes it own, so no pass removes it or its downgrade), and said here, naming the
// migration that created it, so a review sees the move and the map can follow.
#include <fmt/format.h>

#include "passes/drop_rules.h"

namespace alembic_fix {
namespace {

constexpr Code kMovedTable{"AF109", "moved-table", Severity::kWarning,
                           "A drop of a table the map gives to another target but this target's migrations "
                           "created: kept, a move"};
constexpr Code kCodes[] = {kMovedTable};

std::string listed_under(const PassInput& in, const TableRef& table) {
  std::string out;
  for (auto o : in.maps.owners(table)) out += (out.empty() ? "" : " and ") + std::string(o);
  return out;
}

PassOutput run(const PassInput& in) {
  PassOutput out;
  if (!in.history) return out;
  for (const auto& fn : in.view.functions) {
    auto target = function_target(fn, in);
    if (!target) continue;
    for (const auto& op : fn.ops) {
      if (!is_drop(op.method) || op.kept || op.table_arg != TableArg::kResolved) continue;
      if (undoes_upgrade_create(fn, in, op.table)) continue;  // its own create's undo: no move
      const TableCreation* created = moved_here(in, op.table, *target);
      if (!created) continue;
      out.diagnostics.push_back(
          {kMovedTable, in.source.position(ts_node_start_byte(op.call)),
           fmt::format("{} in {}(): the map lists the table under {}, but {} created it: kept, a move of "
                       "the table out of {}",
                       describe(in, op), fn.name, listed_under(in, op.table), describe(*created), *target)});
    }
  }
  return out;
}

}  // namespace

// It needs a drop of a table the map gives to another target, which the prefilter refuses.
extern const Pass moved_table_pass{"moved-table", run, kCodes, kDropsNameOwnTables | kOneTarget | kPlainOp};

}  // namespace alembic_fix
