// foreign-type: a PostgreSQL enum type created or dropped outside a table (`sa.Enum(name="t")
// .drop(op.get_bind())`, `postgresql.ENUM(..., name="t").create(op.get_bind(), checkfirst=True)`,
// `op.execute("DROP TYPE t")`). Autogenerate never writes these; developers add them beside the
// drop or re-creation of the table that uses the type, and the fix leaves them behind.
//
// A type is another target's when this file uses it (`Enum(..., name="t")` in an op's arguments)
// only on tables another target owns: the file is all there is to go by, the map lists no types.
// Its statement goes (AF006) when it is a whole call statement and every table using the type
// loses its drop (upgrade) or re-creation (downgrade) here, so nothing kept needs it; otherwise,
// and always for SQL (never edited), it is reported (AF110, a finding).
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/sql_text.h"
#include "passes/drop_rules.h"

namespace alembic_fix {
namespace {

constexpr Code kForeignType{"AF006", "foreign-enum-type", Severity::kFix,
                            "An enum type created or dropped outside a table, used only by tables whose drop or "
                            "re-creation was removed: removed"};
constexpr Code kForeignTypeKept{"AF110", "foreign-enum-type-kept", Severity::kWarning,
                                "Another target's enum type created or dropped outside a table: kept, a finding "
                                "under --check",
                                true};
constexpr Code kCodes[] = {kForeignType, kForeignTypeKept};

// `sa.Enum(..., name="t")`, `postgresql.ENUM(...)`, `Enum(...)`: "t"; nullopt for anything else.
std::optional<std::string> enum_type_name(const SyntaxTree& tree, TSNode call) {
  if (!is(call, "call")) return std::nullopt;
  std::string_view callee = tree.text(field(call, "function"));
  std::string_view last = callee.substr(callee.rfind('.') == std::string_view::npos ? 0 : callee.rfind('.') + 1);
  if (last != "Enum" && last != "ENUM") return std::nullopt;
  TSNode name = read_arguments(tree, call).keyword("name");
  return ts_node_is_null(name) ? std::nullopt : string_value(tree, name);
}

// Which tables each enum type is used on, by the ops of every function.
std::map<std::string, std::vector<TableRef>> type_users(const PassInput& in) {
  std::map<std::string, std::vector<TableRef>> out;
  for (const auto& fn : in.view.functions)
    for (const auto& op : fn.ops) {
      if (op.table_arg != TableArg::kResolved) continue;
      walk_preorder(op.call, [&](TSNode node, uint32_t) {
        if (auto type = enum_type_name(in.tree, node)) out[*type].push_back(op.table);
        return WalkStep::kDescend;
      });
    }
  return out;
}

struct TypeStatement {
  TSNode statement;   // the expression statement; null when the call sits in a larger expression
  TSNode call;
  std::string type;
  bool sql = false;   // op.execute("DROP TYPE t"): reported, never removed
  std::string label;  // how messages name it: `sa.Enum(name="t").drop()`, `op.execute`
};

// `<Enum call>.create(...)` / `.drop(...)` statements of a function, nested blocks included.
void type_calls(const PassInput& in, const MigrationFunction& fn, std::vector<TypeStatement>& out) {
  walk_preorder(fn.body, [&](TSNode node, uint32_t) {
    if (is(node, "function_definition") || is(node, "class_definition")) return WalkStep::kSkipChildren;
    if (!is(node, "call")) return WalkStep::kDescend;
    TSNode callee = field(node, "function");
    if (!is(callee, "attribute")) return WalkStep::kDescend;
    std::string_view method = in.tree.text(field(callee, "attribute"));
    auto type = enum_type_name(in.tree, field(callee, "object"));
    if ((method != "create" && method != "drop") || !type) return WalkStep::kDescend;
    TSNode parent = ts_node_parent(node);
    bool whole = is(parent, "expression_statement") && ts_node_named_child_count(parent) == 1;
    std::string_view enum_callee = in.tree.text(field(field(callee, "object"), "function"));
    out.push_back({whole ? parent : TSNode{}, node, *type, false,
                   fmt::format("{}(name=\"{}\").{}()", enum_callee, *type, method)});
    return WalkStep::kSkipChildren;
  });
}

// op.execute("DROP TYPE t") / ("CREATE TYPE t AS ENUM ..."): one entry per type it names.
void type_sql(const PassInput& in, const MigrationFunction& fn,
              const std::map<std::string, std::vector<TableRef>>& users, std::vector<TypeStatement>& out) {
  for (const auto& op : fn.ops) {
    if (op.method != "execute" || op.kept) continue;
    auto sql = string_value(in.tree, execute_sql(in, op));
    if (!sql) continue;
    SqlWords words = read_sql(*sql);
    if (!words.type_statement) continue;
    for (const auto& [type, tables] : users)
      if (std::find(words.names.begin(), words.names.end(), type) != words.names.end())
        out.push_back({op.statement, op.call, type, true, "op.execute"});
  }
}

std::string table_list(const std::vector<TableRef>& tables) {
  std::set<std::string> names;
  for (const auto& t : tables) names.insert(t.qualified());
  return fmt::format("{}", fmt::join(names, ", "));
}

PassOutput run(const PassInput& in) {
  PassOutput out;
  // Every type name comes from a call whose callee ends in Enum or ENUM: without either word
  // the file has none, and no op's arguments need a walk.
  std::string_view text = in.source.text();
  if (text.find("Enum") == std::string_view::npos && text.find("ENUM") == std::string_view::npos) return out;
  auto users = type_users(in);
  if (users.empty()) return out;
  for (const auto& fn : in.view.functions) {
    auto target = function_target(fn, in);
    if (!target) continue;
    std::vector<TypeStatement> statements;
    type_calls(in, fn, statements);
    type_sql(in, fn, users, statements);
    const MigrationFunction* upgrade = fn.role == FunctionRole::kUpgrade ? &fn : in.view.upgrade_for(fn);
    std::vector<std::string> removed = upgrade ? removed_drop_tables(*upgrade, *target, in) : std::vector<std::string>{};
    for (const auto& s : statements) {
      auto it = users.find(s.type);
      if (it == users.end()) continue;  // used by no table here: whose it is cannot be told
      const std::vector<TableRef>& tables = it->second;
      bool foreign = std::all_of(tables.begin(), tables.end(), [&](const TableRef& t) {
        return ownership(in, t, *target) == Ownership::kForeign;
      });
      if (!foreign) continue;
      bool follows_removed = std::all_of(tables.begin(), tables.end(), [&](const TableRef& t) {
        return std::find(removed.begin(), removed.end(), t.qualified()) != removed.end();
      });
      Position at = in.source.position(ts_node_start_byte(s.call));
      std::string used = fmt::format("{} in {}(): {} enum type {}, used only by {}, not {}'s", s.label, fn.name,
                                     s.sql ? "SQL that creates or drops" : "creates or drops", s.type,
                                     table_list(tables), *target);
      if (follows_removed && !s.sql && !ts_node_is_null(s.statement)) {
        out.removals.push_back({s.statement});
        out.diagnostics.push_back({kForeignType, at,
                                   fmt::format("{}, whose {} left this file: removed", used,
                                               fn.role == FunctionRole::kUpgrade ? "drops" : "re-creations")});
        continue;
      }
      std::string_view why = s.sql                          ? "SQL is never edited"
                             : ts_node_is_null(s.statement) ? "it is part of a larger statement"
                                                            : "a statement on a table that uses it is kept";
      out.diagnostics.push_back({kForeignTypeKept, at,
                                 fmt::format("{}; kept ({}): remove it by hand if it is not {}'s", used, why, *target)});
    }
  }
  return out;
}

}  // namespace

// It needs an op on another target's table, named by a literal: the prefilter refuses those.
extern const Pass foreign_type_pass{"foreign-type", run, kCodes,
                                    kAnnotatedForTarget | kOneTarget | kNamesNoForeignTable};

}  // namespace alembic_fix
