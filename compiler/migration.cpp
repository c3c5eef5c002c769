#include "compiler/migration.h"

#include <array>

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

// `receiver.method(...)` with a plain identifier receiver.
bool split_method_call(const SyntaxTree& tree, TSNode call, std::string_view& receiver,
                       std::string_view& method) {
  TSNode fn = field(call, "function");
  if (!is(fn, "attribute")) return false;
  TSNode object = field(fn, "object");
  if (!is(object, "identifier")) return false;
  receiver = tree.text(object);
  method = tree.text(field(fn, "attribute"));
  return true;
}

// `with op.batch_alter_table(...) as alias:` with a single with-item.
bool read_batch(const SyntaxTree& tree, TSNode with_statement, BatchBlock& out) {
  TSNode clause{};
  uint32_t n = ts_node_named_child_count(with_statement);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode child = ts_node_named_child(with_statement, i);
    if (is(child, "with_clause")) clause = child;
  }
  if (ts_node_is_null(clause) || ts_node_named_child_count(clause) != 1) return false;
  TSNode value = field(ts_node_named_child(clause, 0), "value");
  if (!is(value, "as_pattern")) return false;
  TSNode call = ts_node_named_child(value, 0);
  TSNode alias = field(value, "alias");
  if (!is(call, "call") || ts_node_is_null(alias)) return false;
  std::string_view receiver, method;
  if (!split_method_call(tree, call, receiver, method) || receiver != "op" || op_kind(method) != OpKind::kBatch)
    return false;
  out.statement = with_statement;
  out.body = field(with_statement, "body");
  out.alias = tree.text(alias);
  resolve_table(tree, call, method, out.table_arg, out.table);
  return true;
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

void read_function(const SyntaxTree& tree, MigrationFunction& fn) {
  static const WalkSymbols symbols;
  // Batch aliases in scope, with the depth of their with_statement.
  std::vector<std::pair<uint32_t, int>> scopes;
  walk_preorder(fn.body, [&](TSNode node, uint32_t depth) {
    while (!scopes.empty() && scopes.back().first >= depth) scopes.pop_back();
    TSSymbol symbol = ts_node_symbol(node);
    if (symbol == symbols.with_statement) {
      BatchBlock batch;
      if (read_batch(tree, node, batch)) {
        fn.batches.push_back(batch);
        scopes.emplace_back(depth, static_cast<int>(fn.batches.size() - 1));
      }
      return WalkStep::kDescend;
    }
    std::string_view receiver, method;
    if (symbol != symbols.call || !split_method_call(tree, node, receiver, method)) return WalkStep::kDescend;
    int batch = enclosing_batch(fn, scopes, receiver);
    // batch_alter_table itself is the block's header, not an op on its own.
    if ((receiver == "op" && op_kind(method) != OpKind::kBatch && method != "f") || batch >= 0)
      fn.ops.push_back(read_op_call(tree, fn, node, method, batch));
    // An op call's arguments (columns, constraints: most of a migration's nodes) hold no op call.
    bool holds_no_op = receiver == "op" || receiver == "sa" || batch >= 0;
    return holds_no_op ? WalkStep::kSkipChildren : WalkStep::kDescend;
  });
}

// `name = value` or `name: type = value` at module level: the name and value nodes.
bool read_assignment(const SyntaxTree& tree, TSNode statement, std::string_view& name, TSNode& value) {
  if (!is(statement, "expression_statement") || ts_node_named_child_count(statement) != 1) return false;
  TSNode assignment = ts_node_named_child(statement, 0);
  if (!is(assignment, "assignment")) return false;
  TSNode left = field(assignment, "left");
  if (!is(left, "identifier")) return false;
  name = tree.text(left);
  value = field(assignment, "right");
  return true;
}

// `upgrade` -> "", `upgrade_plant` -> "plant" (multidb); nullopt for a name of no such role.
std::optional<std::string_view> engine_of(std::string_view name, std::string_view role) {
  if (!name.starts_with(role)) return std::nullopt;
  std::string_view rest = name.substr(role.size());
  if (rest.empty()) return rest;
  if (rest.front() != '_') return std::nullopt;
  return rest.substr(1);
}

void read_definition(const SyntaxTree& tree, TSNode def, Migration& out) {
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
  read_function(tree, fn);
  out.functions.push_back(std::move(fn));
}

}  // namespace

const MigrationFunction* Migration::upgrade_for(const MigrationFunction& downgrade) const {
  for (const auto& fn : functions)
    if (fn.role == FunctionRole::kUpgrade && fn.engine == downgrade.engine) return &fn;
  return nullptr;
}

Migration read_migration(const SyntaxTree& tree) {
  Migration out;
  TSNode root = tree.root();
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode statement = ts_node_named_child(root, i);
    std::string_view name;
    TSNode value;
    if (read_assignment(tree, statement, name, value)) {
      if (name == "revision") out.is_migration = true;
      if (name == "revision" || name == "down_revision" || name == "branch_labels" || name == "depends_on") {
        if (ts_node_is_null(out.identifiers_end) ||
            ts_node_end_byte(statement) > ts_node_end_byte(out.identifiers_end))
          out.identifiers_end = statement;
        if (name == "branch_labels" && !ts_node_is_null(value)) {
          TSNode first = value;
          if ((is(value, "tuple") || is(value, "list")) && ts_node_named_child_count(value) > 0)
            first = ts_node_named_child(value, 0);
          out.branch_labels = string_value(tree, first);
        }
      } else if (name == "MIGRATION_TARGET") {
        out.annotation = Annotation{statement, ts_node_is_null(value) ? std::nullopt : string_value(tree, value)};
      }
    } else {
      read_definition(tree, statement, out);
    }
  }
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
