// foreign-op: any other operation on a table only other targets own (a create_table of an hq
// table in a plant upgrade, say) is reported and kept: it may be deliberate, so it is never a
// silent change. Downgrade re-creations the mirror pass removes are not reported twice.
#include <algorithm>

#include <fmt/format.h>

#include "passes/drop_rules.h"

namespace alembic_fix {
namespace {

constexpr Code kForeignOp{"AF101", "foreign-op", Severity::kWarning,
                          "Another operation on another target's table: kept, check it is meant"};
constexpr Code kCodes[] = {kForeignOp};

PassOutput run(const PassInput& in) {
  PassOutput out;
  for (const auto& fn : in.view.functions) {
    auto target = function_target(fn, in);
    if (!target) continue;
    std::vector<std::string> mirrored;
    if (const MigrationFunction* upgrade = in.view.upgrade_for(fn); fn.role == FunctionRole::kDowngrade && upgrade) {
      mirrored = removed_drop_tables(*upgrade, *target, in);
      // The mirror of a drop kept by `# alembic-fix: keep` is kept with it, and reported with it.
      for (const auto& drop : upgrade->ops)
        if (drop.kept && would_remove_drop(drop, *upgrade, *target, in)) mirrored.push_back(drop.table.qualified());
    }
    for (const auto& op : fn.ops) {
      if (op.table_arg != TableArg::kResolved) continue;
      if (is_drop(op.method)) continue;  // the wrong-target-drop pass decides every drop
      if (ownership(in, op.table, *target) != Ownership::kForeign) continue;
      bool mirror = is_create(op.method) &&
                    std::find(mirrored.begin(), mirrored.end(), op.table.qualified()) != mirrored.end();
      if (mirror) continue;
      out.diagnostics.push_back({kForeignOp, in.source.position(ts_node_start_byte(op.call)),
                                 fmt::format("{} in {}(): the table is not {}'s; kept, check it is meant",
                                             describe(in, op), fn.name, *target)});
    }
  }
  return out;
}

}  // namespace

// It needs a table literal only another target lists, which the prefilter refuses.
extern const Pass foreign_op_pass{"foreign-op", run, kCodes, kNamesNoForeignTable | kOneTarget | kPlainOp};

}  // namespace alembic_fix
