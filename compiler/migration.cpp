#include "compiler/migration.h"

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "compiler/op_names.h"

namespace alembic_fix {
namespace {

// The one table of Alembic operations (signatures checked against Alembic 1.8.1's op.pyi and
// 1.19.1's operations/ops.py). drop_table_comment and create_table_comment change a comment,
// not the table, so they are alterations: a downgrade mirror never needs them gone.
constexpr uint32_t kKeywordOnly = UINT32_MAX;  // create_table/create_exclude_constraint: **kw
constexpr AlembicOp entry(std::string_view name, OpKind kind, uint32_t table_position, std::string_view table_keyword,
                       uint32_t schema_position, std::string_view schema_keyword = "schema") {
  return {name, kind, table_position, table_keyword,
          schema_position == kKeywordOnly ? std::nullopt : std::optional<uint32_t>(schema_position), schema_keyword};
}
constexpr std::array kAlembicOps{
    entry("drop_table", OpKind::kDrop, 0, "table_name", 1),
    entry("drop_index", OpKind::kDrop, 1, "table_name", 2),
    entry("drop_constraint", OpKind::kDrop, 1, "table_name", 3),
    entry("drop_column", OpKind::kDrop, 0, "table_name", 2),
    entry("create_table", OpKind::kCreate, 0, "table_name", kKeywordOnly),
    entry("create_index", OpKind::kCreate, 1, "table_name", 3),
    entry("create_foreign_key", OpKind::kCreate, 1, "source_table", 10, "source_schema"),
    entry("create_unique_constraint", OpKind::kCreate, 1, "table_name", 3),
    entry("create_primary_key", OpKind::kCreate, 1, "table_name", 3),
    entry("create_check_constraint", OpKind::kCreate, 1, "table_name", 3),
    entry("create_exclude_constraint", OpKind::kCreate, 1, "table_name", kKeywordOnly),
    entry("add_column", OpKind::kCreate, 0, "table_name", 2),
    entry("drop_table_comment", OpKind::kAlter, 0, "table_name", 2),
    entry("create_table_comment", OpKind::kAlter, 0, "table_name", 3),
    entry("alter_column", OpKind::kAlter, 0, "table_name", 11),
    entry("rename_table", OpKind::kAlter, 0, "old_table_name", 2),
    entry("batch_alter_table", OpKind::kBatch, 0, "table_name", 1),
};

// op.f("name") marks a name as already converted; its argument is the name.
TSNode unwrap_op_f(const SyntaxTree& tree, TSNode node) {
  if (!is(node, "call")) return node;
  TSNode fn = field(node, "function");
  if (!is(fn, "attribute") || tree.text(fn) != "op.f") return node;
  TSNode args = field(node, "arguments");
  if (ts_node_named_child_count(args) != 1) return node;
  return ts_node_named_child(args, 0);
}

// Fills table_arg/table from the call's arguments, as the table of Alembic operations says.
void resolve_table(const SyntaxTree& tree, TSNode call, std::string_view method, TableArg& kind,
                   TableRef& table) {
  const AlembicOp* param = find_alembic_op(method);
  if (!param) {
    kind = TableArg::kNone;
    return;
  }
  Arguments args = read_arguments(tree, call);
  TSNode value = args.keyword(param->table_keyword);
  if (ts_node_is_null(value) && param->table_position < args.positional.size())
    value = args.positional[param->table_position];
  if (ts_node_is_null(value)) {
    kind = args.has_star ? TableArg::kUnresolved : TableArg::kNone;
    return;
  }
  auto name = string_value(tree, unwrap_op_f(tree, value));
  if (!name) {
    kind = TableArg::kUnresolved;
    return;
  }
  table.name = std::move(*name);
  TSNode schema = args.keyword(param->schema_keyword);
  if (ts_node_is_null(schema) && param->schema_position && *param->schema_position < args.positional.size())
    schema = args.positional[*param->schema_position];
  if (!ts_node_is_null(schema) && !is_none(tree, schema)) {
    auto s = string_value(tree, unwrap_op_f(tree, schema));
    if (!s) {
      kind = TableArg::kUnresolved;
      return;
    }
    table.schema = std::move(*s);
  }
  kind = TableArg::kResolved;
}

// `with op.batch_alter_table(...) as alias:`, one block per such item of the `with` (a `with` may
// open several, or mix one with other context managers).
std::vector<BatchBlock> read_batches(const SyntaxTree& tree, const OpNames& names, TSNode with_statement) {
  std::vector<BatchBlock> out;
  TSNode clause{};
  uint32_t n = ts_node_named_child_count(with_statement);
  for (uint32_t i = 0; i < n; ++i)
    if (TSNode child = ts_node_named_child(with_statement, i); is(child, "with_clause")) clause = child;
  if (ts_node_is_null(clause)) return out;
  uint32_t items = ts_node_named_child_count(clause);
  for (uint32_t i = 0; i < items; ++i) {
    TSNode value = field(ts_node_named_child(clause, i), "value");
    if (!is(value, "as_pattern")) continue;
    TSNode call = ts_node_named_child(value, 0);
    TSNode alias = field(value, "alias");
    if (!is(call, "call") || ts_node_is_null(alias)) continue;
    std::string_view method = names.method_of(tree, field(call, "function"), [](std::string_view m) {
      return find_alembic_op(m) != nullptr;
    });
    if (op_kind(method) != OpKind::kBatch) continue;
    BatchBlock batch;
    batch.statement = with_statement;
    batch.body = field(with_statement, "body");
    batch.alias = tree.text(alias);
    resolve_table(tree, call, method, batch.table_arg, batch.table);
    out.push_back(std::move(batch));
  }
  for (auto& b : out) b.whole_statement = out.size() == items;
  return out;
}

// Grammar symbols compared as numbers: the walk below visits every node of both functions.
struct WalkSymbols {
  TSSymbol with_statement = grammar_symbol("with_statement");
  TSSymbol call = grammar_symbol("call");
};

// The batch block a call's receiver names, innermost first: an index into fn.batches, or -1.
int enclosing_batch(const MigrationFunction& fn, const std::vector<std::pair<uint32_t, int>>& scopes,
                    std::string_view receiver) {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it)
    if (fn.batches[it->second].alias == receiver) return it->second;
  return -1;
}

OpCall read_op_call(const SyntaxTree& tree, const MigrationFunction& fn, TSNode call, std::string_view method,
                    int batch) {
  OpCall op;
  op.call = call;
  op.method = method;
  op.batch = batch;
  TSNode parent = ts_node_parent(call);
  if (is(parent, "expression_statement") && ts_node_named_child_count(parent) == 1) op.statement = parent;
  if (batch >= 0) {
    op.table_arg = fn.batches[batch].table_arg;
    op.table = fn.batches[batch].table;
  } else {
    resolve_table(tree, call, method, op.table_arg, op.table);
  }
  return op;
}

bool names_operation(std::string_view name) { return find_alembic_op(name) != nullptr || name == "execute"; }

// What the view reads with: the names of Alembic's op, and the module's own functions.
struct ModuleNames {
  OpNames op;
  std::map<std::string_view, TSNode> helpers;  // module-level functions other than upgrade/downgrade
};

// `(op.drop_table)` is `op.drop_table`.
TSNode unwrap_parentheses(TSNode node) {
  while (is(node, "parenthesized_expression") && ts_node_named_child_count(node) == 1)
    node = ts_node_named_child(node, 0);
  return node;
}

// An operation used as a value (`drop = op.drop_table`) or looked up (`getattr(op, ...)`).
std::optional<UnfollowedOp> unfollowed(const SyntaxTree& tree, const ModuleNames& names, TSNode node) {
  if (is(node, "attribute") && names.op.is_module(tree, field(node, "object"))) {
    TSNode parent = ts_node_parent(node);
    while (is(parent, "parenthesized_expression")) parent = ts_node_parent(parent);
    bool called = is(parent, "call") && ts_node_start_byte(field(parent, "function")) <= ts_node_start_byte(node);
    std::string_view method = tree.text(field(node, "attribute"));
    if (!called && op_kind(method) == OpKind::kDrop)
      return UnfollowedOp{node, fmt::format("op.{} is used as a value, so its calls cannot be followed", method)};
  }
  if (is(node, "call") && tree.text(field(node, "function")) == "getattr") {
    Arguments args = read_arguments(tree, node);
    if (!args.positional.empty() && names.op.is_module(tree, args.positional[0]))
      return UnfollowedOp{node, "getattr() on Alembic's op: the operation it calls cannot be known"};
  }
  return std::nullopt;
}

// Reads the op calls under `body` into `fn`; the module functions it calls go to `called`.
void read_function(const SyntaxTree& tree, const ModuleNames& names, TSNode body, MigrationFunction& fn,
                   std::vector<std::string_view>& called) {
  static const WalkSymbols symbols;
  // Batch aliases in scope, with the depth of their with_statement.
  std::vector<std::pair<uint32_t, int>> scopes;
  walk_preorder(body, [&](TSNode node, uint32_t depth) {
    while (!scopes.empty() && scopes.back().first >= depth) scopes.pop_back();
    TSSymbol symbol = ts_node_symbol(node);
    if (symbol == symbols.with_statement) {
      for (BatchBlock& batch : read_batches(tree, names.op, node)) {
        fn.batches.push_back(std::move(batch));
        scopes.emplace_back(depth, static_cast<int>(fn.batches.size() - 1));
      }
      return WalkStep::kDescend;
    }
    if (auto odd = unfollowed(tree, names, node)) fn.unfollowed.push_back(std::move(*odd));
    if (symbol != symbols.call) return WalkStep::kDescend;
    TSNode function = unwrap_parentheses(field(node, "function"));
    if (is(function, "identifier") && names.helpers.count(tree.text(function))) called.push_back(tree.text(function));
    std::string_view method = names.op.method_of(tree, function, names_operation);
    int batch = -1;
    if (method.empty() && is(function, "attribute") && is(field(function, "object"), "identifier")) {
      batch = enclosing_batch(fn, scopes, tree.text(field(function, "object")));
      if (batch >= 0) method = tree.text(field(function, "attribute"));
    }
    if (method.empty()) {
      std::string_view receiver = is(function, "attribute") ? tree.text(field(function, "object")) : "";
      return receiver == "sa" ? WalkStep::kSkipChildren : WalkStep::kDescend;
    }
    // batch_alter_table itself is the block's header, not an op on its own.
    if (op_kind(method) != OpKind::kBatch && method != "f") fn.ops.push_back(read_op_call(tree, fn, node, method, batch));
    // An op call's arguments (columns, constraints: most of a migration's nodes) hold no op call.
    return WalkStep::kSkipChildren;
  });
}

// The module-level helpers a function calls, read as part of it (transitively, each once); a
// helper called from several functions is not: its drops are reported, not removed.
void read_helpers(const SyntaxTree& tree, const ModuleNames& names, const std::map<std::string_view, int>& callers,
                  std::vector<std::string_view> called, MigrationFunction& fn) {
  std::vector<std::string_view> done;
  while (!called.empty()) {
    std::string_view name = called.back();
    called.pop_back();
    if (std::find(done.begin(), done.end(), name) != done.end()) continue;
    done.push_back(name);
    TSNode body = field(names.helpers.at(name), "body");
    if (ts_node_is_null(body)) continue;
    size_t first = fn.ops.size();
    read_function(tree, names, body, fn, called);
    for (size_t i = first; i < fn.ops.size(); ++i) fn.ops[i].helper = name;
    if (callers.at(name) > 1) {
      fn.shared_helper_ops.insert(fn.shared_helper_ops.end(), fn.ops.begin() + static_cast<long>(first), fn.ops.end());
      fn.ops.resize(first);
    }
  }
}

// `name = value`, `name: type = value`, `a, b = x, y` and `a = b = value` at module level: each
// name with its value node (null when the value cannot be paired with it).
std::vector<std::pair<std::string_view, TSNode>> read_assignments(const SyntaxTree& tree, TSNode statement) {
  std::vector<std::pair<std::string_view, TSNode>> out;
  if (!is(statement, "expression_statement") || ts_node_named_child_count(statement) != 1) return out;
  for (TSNode assignment = ts_node_named_child(statement, 0); is(assignment, "assignment");) {
    TSNode left = field(assignment, "left"), right = field(assignment, "right");
    TSNode value = is(right, "assignment") ? TSNode{} : right;
    if (is(left, "identifier")) {
      out.emplace_back(tree.text(left), value);
    } else if (is(left, "pattern_list") || is(left, "tuple_pattern")) {
      uint32_t n = ts_node_named_child_count(left);
      bool paired = (is(value, "expression_list") || is(value, "tuple")) && ts_node_named_child_count(value) == n;
      for (uint32_t i = 0; i < n; ++i)
        if (TSNode name = ts_node_named_child(left, i); is(name, "identifier"))
          out.emplace_back(tree.text(name), paired ? ts_node_named_child(value, i) : TSNode{});
    }
    assignment = right;  // a = b = value: b is assigned too
  }
  for (auto& [name, value] : out)  // a = b = value: every name gets the last value
    if (ts_node_is_null(value)) value = field(ts_node_named_child(statement, 0), "right");
  return out;
}

// `upgrade` -> "", `upgrade_plant` -> "plant" (multidb); nullopt for a name of no such role.
std::optional<std::string_view> engine_of(std::string_view name, std::string_view role) {
  if (!name.starts_with(role)) return std::nullopt;
  std::string_view rest = name.substr(role.size());
  if (rest.empty()) return rest;
  if (rest.front() != '_') return std::nullopt;
  return rest.substr(1);
}

void read_definition(const SyntaxTree& tree, const ModuleNames& names, const std::map<std::string_view, int>& callers,
                     TSNode def, Migration& out) {
  if (is(def, "decorated_definition")) def = field(def, "definition");
  if (!is(def, "function_definition")) return;
  std::string_view name = tree.text(field(def, "name"));
  MigrationFunction fn;
  if (auto engine = engine_of(name, "upgrade")) {
    fn.role = FunctionRole::kUpgrade;
    fn.engine = *engine;
  } else if (auto engine = engine_of(name, "downgrade")) {
    fn.role = FunctionRole::kDowngrade;
    fn.engine = *engine;
  } else {
    return;
  }
  fn.name = name;
  fn.definition = def;
  fn.body = field(def, "body");
  if (ts_node_is_null(fn.body)) return;
  std::vector<std::string_view> called;
  read_function(tree, names, fn.body, fn, called);
  read_helpers(tree, names, callers, std::move(called), fn);
  out.functions.push_back(std::move(fn));
}

}  // namespace

const MigrationFunction* Migration::upgrade_for(const MigrationFunction& downgrade) const {
  // Paired by the whole name after the role, not the engine alone: Flask-Migrate's default bind
  // is `downgrade_()` beside a `downgrade(engine_name)` dispatcher, both engine "".
  auto suffix = [](const MigrationFunction& fn) {
    return fn.name.substr(fn.role == FunctionRole::kUpgrade ? std::string_view("upgrade").size()
                                                             : std::string_view("downgrade").size());
  };
  for (const auto& fn : functions)
    if (fn.role == FunctionRole::kUpgrade && suffix(fn) == suffix(downgrade)) return &fn;
  return nullptr;
}

namespace {

TSNode function_definition(TSNode statement) {
  if (is(statement, "decorated_definition")) statement = field(statement, "definition");
  return is(statement, "function_definition") ? statement : TSNode{};
}

bool is_migration_function(std::string_view name) {
  return engine_of(name, "upgrade").has_value() || engine_of(name, "downgrade").has_value();
}

// How many migration functions call each helper (directly): one caller makes it part of that one.
std::map<std::string_view, int> helper_callers(const SyntaxTree& tree, const ModuleNames& names) {
  std::map<std::string_view, int> callers;
  if (names.helpers.empty()) return callers;  // most migrations: no walk of every body
  for (const auto& [name, def] : names.helpers) callers[name] = 0;
  TSNode root = tree.root();
  for (uint32_t i = 0; i < ts_node_named_child_count(root); ++i) {
    TSNode def = function_definition(ts_node_named_child(root, i));
    if (ts_node_is_null(def) || !is_migration_function(tree.text(field(def, "name")))) continue;
    std::vector<std::string_view> seen;
    walk_preorder(field(def, "body"), [&](TSNode node, uint32_t) {
      if (is(node, "call")) {
        TSNode function = field(node, "function");
        if (is(function, "identifier") && names.helpers.count(tree.text(function)) &&
            std::find(seen.begin(), seen.end(), tree.text(function)) == seen.end())
          seen.push_back(tree.text(function));
      }
      return WalkStep::kDescend;
    });
    for (auto name : seen) ++callers[name];
  }
  return callers;
}

void read_identifiers(const SyntaxTree& tree, TSNode statement, Migration& out) {
  for (auto [name, value] : read_assignments(tree, statement)) {
    if (name == "revision") {
      out.is_migration = true;
      if (!ts_node_is_null(value)) out.revision = string_value(tree, value);
    }
    if (name == "revision" || name == "down_revision" || name == "branch_labels" || name == "depends_on") {
      if (ts_node_is_null(out.identifiers_end) || ts_node_end_byte(statement) > ts_node_end_byte(out.identifiers_end))
        out.identifiers_end = statement;
      if (name == "branch_labels" && !ts_node_is_null(value)) {
        bool several = is(value, "tuple") || is(value, "list");
        uint32_t n = several ? ts_node_named_child_count(value) : 1;
        for (uint32_t i = 0; i < n; ++i)
          if (auto label = string_value(tree, several ? ts_node_named_child(value, i) : value))
            out.branch_label_list.push_back(*label);
        if (!out.branch_label_list.empty()) out.branch_labels = out.branch_label_list.front();
      }
    } else if (name == "MIGRATION_TARGET") {
      out.annotation = Annotation{statement, ts_node_is_null(value) ? std::nullopt : string_value(tree, value)};
    }
  }
}

// `# alembic-fix: keep` at the end of an op statement's first line keeps it.
void apply_pragmas(Migration& out) {
  for (const Pragma& p : out.pragmas) {
    if (p.kind == PragmaKind::kSkipFile && p.top_level) out.skip_file = true;
    if (p.kind != PragmaKind::kKeep || !p.ends_code) continue;
    for (auto& fn : out.functions)
      for (auto& op : fn.ops)
        if (!ts_node_is_null(op.statement) && ts_node_start_point(op.statement).row == p.row) op.kept = true;
  }
}

}  // namespace

Migration read_migration(const SyntaxTree& tree) {
  Migration out;
  ModuleNames names{OpNames::read(tree), {}};
  TSNode root = tree.root();
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode def = function_definition(ts_node_named_child(root, i));
    if (!ts_node_is_null(def) && !is_migration_function(tree.text(field(def, "name"))))
      names.helpers[tree.text(field(def, "name"))] = def;
  }
  auto callers = helper_callers(tree, names);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode statement = ts_node_named_child(root, i);
    if (is(statement, "expression_statement")) read_identifiers(tree, statement, out);
    else read_definition(tree, names, callers, statement, out);
  }
  out.pragmas = read_pragmas(tree);
  apply_pragmas(out);
  return out;
}

std::span<const AlembicOp> alembic_ops() { return kAlembicOps; }

const AlembicOp* find_alembic_op(std::string_view name) {
  for (const auto& entry : kAlembicOps)
    if (entry.name == name) return &entry;
  return nullptr;
}

OpKind op_kind(std::string_view name) {
  const AlembicOp* op = find_alembic_op(name);
  return op ? op->kind : OpKind::kOther;
}

}  // namespace alembic_fix
