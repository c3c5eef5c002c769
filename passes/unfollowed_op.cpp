// unfollowed-op: a drop alembic-fix cannot follow statically may still drop another target's
// table: `getattr(op, ...)`, an operation taken as a value (`drop = op.drop_table`), a drop in a
// helper that several migration functions call. Each is reported as a finding (it fails --check):
// nothing that might be a foreign drop passes unseen. The file is not changed for it.
#include <fmt/format.h>

#include "passes/drop_rules.h"

namespace alembic_fix {
namespace {

constexpr Code kUnfollowedOp{"AF107", "unfollowed-op", Severity::kWarning,
                             "A drop that cannot be followed statically: kept, a finding under --check", true};
constexpr Code kCodes[] = {kUnfollowedOp};

PassOutput run(const PassInput& in) {
  PassOutput out;
  for (const auto& fn : in.view.functions) {
    auto target = function_target(fn, in);
    if (!target) continue;
    for (const auto& u : fn.unfollowed)
      out.diagnostics.push_back({kUnfollowedOp, in.source.position(ts_node_start_byte(u.node)),
                                 fmt::format("in {}(): {}; check it drops only {}'s tables", fn.name, u.why, *target)});
    for (const auto& op : fn.shared_helper_ops) {
      if (!is_drop(op.method) || op.kept) continue;
      if (op.table_arg == TableArg::kResolved && ownership(in, op.table, *target) == Ownership::kOwn) continue;
      out.diagnostics.push_back(
          {kUnfollowedOp, in.source.position(ts_node_start_byte(op.call)),
           fmt::format("{}: {}() is called from several migration functions, so this drop is not removed for "
                       "{}(); move it into the function it belongs to",
                       describe(in, op), op.helper, fn.name)});
    }
  }
  return out;
}

}  // namespace

// getattr(op, ...) and an op attribute not called are refused by the prefilter; a shared helper's
// drop names a literal, which must be the target's own table for the prefilter to pass.
extern const Pass unfollowed_op_pass{"unfollowed-op", run, kCodes,
                                     kPlainOp | kDropsNameOwnTables | kOneTarget | kAnnotatedForTarget};

}  // namespace alembic_fix
