// mirror-downgrade: when a wrong-target drop leaves upgrade(), the downgrade() statements that
// re-create that table (create_table, create_index, constraints, add_column, batch ops) go too,
// so a downgrade never creates the other database's tables.
#include <algorithm>

#include <fmt/format.h>

#include "passes/drop_rules.h"

namespace alembic_fix {
namespace {

constexpr Code kMirrorCreate{"AF002", "mirror-downgrade", Severity::kFix,
                             "A downgrade statement re-creating a table whose drop was removed: removed"};
constexpr Code kCodes[] = {kMirrorCreate};

PassOutput run(const PassInput& in) {
  PassOutput out;
  for (const auto& fn : in.view.functions) {
    if (fn.role != FunctionRole::kDowngrade) continue;
    auto target = function_target(fn, in);
    const MigrationFunction* upgrade = in.view.upgrade_for(fn);
    if (!target || !upgrade) continue;
    std::vector<std::string> dropped = removed_drop_tables(*upgrade, *target, in);
    if (dropped.empty()) continue;
    for (const auto& op : fn.ops) {
      if (!is_create(op.method) || op.table_arg != TableArg::kResolved || op.kept) continue;
      if (std::find(dropped.begin(), dropped.end(), op.table.qualified()) == dropped.end()) continue;
      Position at = in.source.position(ts_node_start_byte(op.call));
      if (ts_node_is_null(op.statement)) {
        out.diagnostics.push_back({codes::kUnsafeRemoval, at,
                                   fmt::format("{} is part of a larger expression; remove it by hand",
                                               describe(in, op))});
        continue;
      }
      out.removals.push_back({op.statement});
      out.diagnostics.push_back({kMirrorCreate, at,
                                 fmt::format("{} in {}(): re-creates a table whose drop left {}()",
                                             describe(in, op), fn.name, upgrade->name)});
    }
  }
  return out;
}

}  // namespace

// It fires only after a removed drop, which a file the prefilter accepts has none of.
extern const Pass mirror_downgrade_pass{"mirror-downgrade", run, kCodes, kDropsNameOwnTables | kOneTarget | kPlainOp};

}  // namespace alembic_fix
