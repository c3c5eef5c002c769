// keep-pragma: `# alembic-fix: keep` keeps a statement the other passes would remove (and, for a
// drop, its downgrade mirror): each such statement is reported, so a review sees every kept
// foreign drop. A pragma that keeps nothing, sits where no operation starts, or says something
// unknown is reported too (like ruff's unused-noqa): a pragma that does nothing is a mistake.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/sql_text.h"
#include "passes/drop_rules.h"

namespace alembic_fix {
namespace {

constexpr Code kKeptByPragma{"AF104", "kept-by-pragma", Severity::kWarning,
                             "A statement alembic-fix would remove, kept by `# alembic-fix: keep`"};
constexpr Code kPragmaProblem{"AF105", "unused-pragma", Severity::kWarning,
                              "A `# alembic-fix:` pragma that keeps nothing, is misplaced or unknown"};
constexpr Code kCodes[] = {kKeptByPragma, kPragmaProblem};

// Why the other passes would have removed (or reported) the kept op, or nullopt when they would not.
std::optional<std::string> what_it_keeps(const PassInput& in, const MigrationFunction& fn, const OpCall& op,
                                         std::string_view target) {
  if (would_remove_drop(op, fn, target, in))
    return fmt::format("{} in {}() stays, though the table is not {}'s (and so does its downgrade)",
                       describe(in, op), fn.name, target);
  if (const MigrationFunction* upgrade = in.view.upgrade_for(fn);
      fn.role == FunctionRole::kDowngrade && upgrade && is_create(op.method) && op.table_arg == TableArg::kResolved) {
    for (const auto& drop : upgrade->ops)
      if (drop.table_arg == TableArg::kResolved && drop.table.qualified() == op.table.qualified() &&
          is_removable_drop(drop, *upgrade, target, in))
        return fmt::format("{} in {}() stays, though its drop leaves {}()", describe(in, op), fn.name, upgrade->name);
  }
  if (op.method == "execute") {
    std::string_view text = in.tree.text(op.call);
    for (const auto& name : read_sql(text).names) {
      TableRef table{name, {}};
      if (ownership(in, table, target) == Ownership::kForeign)
        return fmt::format("op.execute in {}() naming {} stays", fn.name, name);
    }
  }
  return std::nullopt;
}

PassOutput run(const PassInput& in) {
  PassOutput out;
  std::vector<uint32_t> used_rows;  // rows of keep pragmas attached to an operation
  for (const auto& fn : in.view.functions) {
    auto target = function_target(fn, in);
    for (const auto& op : fn.ops) {
      if (!op.kept) continue;
      uint32_t row = ts_node_start_point(op.statement).row;
      auto kept = target ? what_it_keeps(in, fn, op, *target) : std::nullopt;
      if (!kept) continue;
      used_rows.push_back(row);
      out.diagnostics.push_back({kKeptByPragma, in.source.position(ts_node_start_byte(op.call)),
                                 fmt::format("`# alembic-fix: keep`: {}", *kept)});
    }
  }
  for (const Pragma& p : in.view.pragmas) {
    Position at = in.source.position(ts_node_start_byte(p.comment));
    std::string_view why;
    if (p.kind == PragmaKind::kUnknown) why = "is not a pragma alembic-fix knows (keep, skip-file)";
    else if (p.kind == PragmaKind::kSkipFile && !p.top_level) why = "works only at module level, not inside code";
    else if (p.kind == PragmaKind::kKeep && !p.ends_code)
      why = "must end the first line of the statement it keeps; on a line of its own it keeps nothing";
    else if (p.kind == PragmaKind::kKeep && std::find(used_rows.begin(), used_rows.end(), p.row) == used_rows.end())
      why = "keeps nothing: no statement on this line would be removed";
    if (!why.empty())
      out.diagnostics.push_back({kPragmaProblem, at, fmt::format("`# alembic-fix: {}` {}", p.text, why)});
  }
  return out;
}

}  // namespace

// Nothing to say without a pragma, which the prefilter refuses.
extern const Pass keep_pragma_pass{"keep-pragma", run, kCodes, kNoForeignSql};

}  // namespace alembic_fix
