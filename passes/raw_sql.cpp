// raw-sql: SQL passed to op.execute is never edited (alembic-fix does not rewrite SQL), but SQL
// that drops another target's table or index is a foreign drop all the same: reported as a
// finding (under --check it fails the check) so it cannot pass unseen. SQL that only names
// another target's table is reported as a warning. SQL built at run time that says DROP is
// reported too: what it drops cannot be known.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/sql_text.h"
#include "passes/drop_rules.h"

namespace alembic_fix {
namespace {

constexpr Code kRawSqlDrop{"AF106", "raw-sql-drop", Severity::kWarning,
                           "Raw SQL drops another target's table or index: kept (SQL is never edited); a finding "
                           "under --check",
                           true};
constexpr Code kRawSqlForeign{"AF108", "raw-sql-foreign", Severity::kWarning,
                              "Raw SQL names another target's table: kept, check it is meant"};
constexpr Code kCodes[] = {kRawSqlDrop, kRawSqlForeign};

bool foreign(const PassInput& in, std::string_view target, const std::string& name) {
  TableRef table;
  size_t dot = name.rfind('.');
  table.name = dot == std::string::npos ? name : name.substr(dot + 1);
  if (dot != std::string::npos) table.schema = name.substr(0, dot);
  return ownership(in, table, target) == Ownership::kForeign;
}

// A foreign table whose name an index name holds (`ix_report_job_status`: report_job): the best
// a reader of raw SQL can do without the database; said as a guess in the message.
std::optional<std::string> index_owner(const PassInput& in, std::string_view target, const std::string& index,
                                       const std::vector<std::string>& candidates) {
  for (const auto& name : candidates)
    if (index.find(name) != std::string::npos && foreign(in, target, name)) return name;
  return std::nullopt;
}

PassOutput run(const PassInput& in) {
  PassOutput out;
  // The map's literal table names, gathered only for SQL that drops an index: a map of
  // thousands of tables would otherwise be copied for every file.
  std::vector<std::string> foreign_tables;
  auto index_candidates = [&]() -> const std::vector<std::string>& {
    if (foreign_tables.empty())
      for (const auto& t : in.maps.targets())
        for (const auto& p : t.patterns)
          if (p.find_first_of("*?[") == std::string::npos) foreign_tables.push_back(p);
    return foreign_tables;
  };
  for (const auto& fn : in.view.functions) {
    auto target = function_target(fn, in);
    if (!target) continue;
    // Tables whose drop (or, in a downgrade, re-creation) is removed: SQL naming them is the
    // dependents step's to judge (it goes with the removal, or the file is refused).
    const MigrationFunction* upgrade = fn.role == FunctionRole::kUpgrade ? &fn : in.view.upgrade_for(fn);
    std::vector<std::string> removed = upgrade ? removed_drop_tables(*upgrade, *target, in) : std::vector<std::string>{};
    for (const auto& op : fn.ops) {
      if (op.method != "execute" || op.kept) continue;
      Position at = in.source.position(ts_node_start_byte(op.call));
      TSNode node = execute_sql(in, op);
      auto sql = string_value(in.tree, node);
      if (!sql) {
        std::string_view text = in.tree.text(node);
        std::string lower(text);
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (lower.find("drop") != std::string::npos)
          out.diagnostics.push_back({kRawSqlDrop, at,
                                     fmt::format("op.execute in {}(): SQL built at run time drops something; "
                                                 "alembic-fix cannot tell what, check it is {}'s",
                                                 fn.name, *target)});
        continue;
      }
      SqlWords words = read_sql(*sql);
      if (std::any_of(words.names.begin(), words.names.end(), [&](const std::string& n) {
            return std::find(removed.begin(), removed.end(), n) != removed.end();
          }))
        continue;
      std::vector<std::string> dropped;
      for (const auto& t : words.dropped_tables)
        if (foreign(in, *target, t)) dropped.push_back(t);
      for (const auto& i : words.dropped_indexes)
        if (auto owner = index_owner(in, *target, i, index_candidates()))
          dropped.push_back(fmt::format("index {} (of {}, by its name)", i, *owner));
      if (!dropped.empty()) {
        out.diagnostics.push_back({kRawSqlDrop, at,
                                   fmt::format("op.execute in {}(): raw SQL drops {}, not {}'s; SQL is never "
                                               "edited: remove it by hand or mark it `# alembic-fix: keep`",
                                               fn.name, fmt::join(dropped, ", "), *target)});
        continue;
      }
      std::vector<std::string> named;
      for (const auto& n : words.names)
        if (foreign(in, *target, n) && std::find(named.begin(), named.end(), n) == named.end()) named.push_back(n);
      if (!named.empty())
        out.diagnostics.push_back({kRawSqlForeign, at,
                                   fmt::format("op.execute in {}(): raw SQL names {}, not {}'s; kept, check it is "
                                               "meant",
                                               fn.name, fmt::join(named, ", "), *target)});
    }
  }
  return out;
}

}  // namespace

// It needs a string literal naming another target's table, or the word DROP, in the file: the
// prefilter refuses both.
extern const Pass raw_sql_pass{"raw-sql", run, kCodes, kAnnotatedForTarget | kOneTarget | kNoForeignSql};

}  // namespace alembic_fix
