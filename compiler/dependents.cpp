#include "compiler/dependents.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "compiler/sql_text.h"

namespace alembic_fix {
namespace {

using Key = std::tuple<uint32_t, uint32_t, TSSymbol>;
Key key(TSNode n) { return {ts_node_start_byte(n), ts_node_end_byte(n), ts_node_symbol(n)}; }

// A table whose create_table or drop_table statement is removed from one function.
struct Gone {
  TableRef table;
  TSNode statement;
  std::string_view method;
};

struct Alias {
  std::string_view name;  // `hq = sa.table("hq_plants", ...)`: hq
  std::string table;
};

// `sa.table("x", ...)`, `sa.Table("x", ...)`, `table("x")`: the lightweight table objects that
// bulk_insert and SQL expressions take; their first argument names the table.
// The result is qualified when the call passes a literal schema=.
std::optional<std::string> table_object(const SyntaxTree& tree, TSNode node) {
  if (!is(node, "call")) return std::nullopt;
  TSNode fn = field(node, "function");
  std::string_view name = is(fn, "attribute") ? tree.text(field(fn, "attribute")) : tree.text(fn);
  if (name != "table" && name != "Table") return std::nullopt;
  Arguments args = read_arguments(tree, node);
  if (args.positional.empty()) return std::nullopt;
  auto table = string_value(tree, args.positional[0]);
  TSNode schema = args.keyword("schema");
  if (table && !ts_node_is_null(schema) && !is_none(tree, schema))
    if (auto s = string_value(tree, schema)) return *s + "." + *table;
  return table;
}

class Finder {
 public:
  Finder(const Source& src, const SyntaxTree& tree, const Migration& view, std::span<const TSNode> removed,
         std::span<const TSNode> kept)
      : src_(src), tree_(tree), view_(view) {
    for (TSNode n : removed) removed_.insert(key(n));
    for (TSNode n : kept) kept_.insert(key(n));
    read_aliases(tree.root(), module_aliases_);
  }

  Dependents run() {
    for (const auto& fn : view_.functions) {
      gone_.clear();
      for (const auto& op : fn.ops)
        if ((op.method == "create_table" || op.method == "drop_table") && op.table_arg == TableArg::kResolved &&
            !ts_node_is_null(op.statement) && removed_.count(key(op.statement)))
          gone_.push_back({op.table, op.statement, op.method});
      if (gone_.empty()) continue;
      aliases_ = module_aliases_;
      visit_block(fn, fn.body);
    }
    return std::move(out_);
  }

 private:
  void read_aliases(TSNode block, std::vector<Alias>& into) {
    uint32_t n = ts_node_named_child_count(block);
    for (uint32_t i = 0; i < n; ++i) add_alias(ts_node_named_child(block, i), into);
  }
  // `name = sa.table("x", ...)` as a statement of its own.
  std::optional<Alias> alias_of(TSNode statement) const {
    if (!is(statement, "expression_statement") || ts_node_named_child_count(statement) != 1) return std::nullopt;
    TSNode assignment = ts_node_named_child(statement, 0);
    if (!is(assignment, "assignment") || !is(field(assignment, "left"), "identifier")) return std::nullopt;
    auto table = table_object(tree_, field(assignment, "right"));
    if (!table) return std::nullopt;
    return Alias{tree_.text(field(assignment, "left")), *table};
  }
  void add_alias(TSNode statement, std::vector<Alias>& into) {
    if (auto alias = alias_of(statement)) into.push_back(*alias);
  }

  // A name as written: "x" is the removed table x only when that one has no schema, "s.x" is s.x.
  const Gone* gone(std::string_view name) const {
    for (const auto& g : gone_)
      if (name == g.table.qualified()) return &g;
    return nullptr;
  }
  // What a string literal says: a table name, `table.column` (a foreign key's target) or SQL.
  void literal_mentions(std::string_view value, std::vector<const Gone*>& found) const {
    auto add = [&](const Gone* g) {
      if (g && std::find(found.begin(), found.end(), g) == found.end()) found.push_back(g);
    };
    add(gone(value));
    if (size_t dot = value.rfind('.'); dot != std::string_view::npos) add(gone(value.substr(0, dot)));
    if (value.find_first_of(" \t\n") != std::string_view::npos)
      for (const auto& name : read_sql(value).names) add(gone(name));
  }
  // Every removed table the statement names: an op call's own table (with its schema=), a
  // literal (a name, `table.column`, SQL words), a table object, an alias of one.
  std::vector<const Gone*> mentions(const MigrationFunction& fn, TSNode root) const {
    std::vector<const Gone*> found;
    for (const auto& op : fn.ops)
      if (op.table_arg == TableArg::kResolved && ts_node_start_byte(op.call) >= ts_node_start_byte(root) &&
          ts_node_end_byte(op.call) <= ts_node_end_byte(root))
        if (const Gone* g = gone(op.table.qualified()); g && std::find(found.begin(), found.end(), g) == found.end())
          found.push_back(g);
    walk_preorder(root, [&](TSNode node, uint32_t) {
      if (auto table = table_object(tree_, node)) {
        literal_mentions(*table, found);
        return WalkStep::kSkipChildren;  // its name and schema are read together, not as two literals
      }
      if (is(node, "string") || is(node, "concatenated_string")) {
        if (auto value = string_value(tree_, node)) literal_mentions(*value, found);
        return WalkStep::kSkipChildren;
      }
      if (is(node, "identifier"))
        for (const auto& a : aliases_)
          if (a.name == tree_.text(node)) literal_mentions(a.table, found);
      return WalkStep::kDescend;
    });
    return found;
  }

  const OpCall* op_of(const MigrationFunction& fn, TSNode statement) const {
    for (const auto& op : fn.ops)
      if (!ts_node_is_null(op.statement) && key(op.statement) == key(statement)) return &op;
    return nullptr;
  }
  bool all_gone(const std::vector<std::string>& names) const {
    return !names.empty() && std::all_of(names.begin(), names.end(), [&](const std::string& n) { return gone(n); });
  }
  // Part of the removed re-creation or drop: the statement's own table is a removed one.
  bool goes_with(const MigrationFunction& fn, TSNode statement) const {
    if (auto alias = alias_of(statement)) return gone(alias->table) != nullptr;
    const OpCall* op = op_of(fn, statement);
    if (!op) return false;
    if (op->table_arg == TableArg::kResolved) return gone(op->table.qualified()) != nullptr;
    Arguments args = read_arguments(tree_, op->call);
    if (args.positional.empty()) return false;
    TSNode first = args.positional[0];
    if (op->method == "bulk_insert") {
      if (auto table = table_object(tree_, first)) return gone(*table);
      for (const auto& a : aliases_)
        if (is(first, "identifier") && a.name == tree_.text(first)) return gone(a.table);
      return false;
    }
    if (op->method == "execute") {
      TSNode sql = first;
      if (Arguments inner = read_arguments(tree_, first); is(first, "call") && !inner.positional.empty())
        sql = inner.positional[0];  // sa.text("...")
      auto text = string_value(tree_, sql);
      return text && all_gone(read_sql(*text).statement_targets);
    }
    return false;
  }

  void judge(const MigrationFunction& fn, TSNode statement) {
    auto found = mentions(fn, statement);
    if (found.empty()) return;
    Position at = src_.position(ts_node_start_byte(statement));
    if (goes_with(fn, statement)) {
      out_.removals.push_back(statement);
      out_.diagnostics.push_back({codes::kDependentStatement, at,
                                  fmt::format("{} in {}(): goes with the {} of \"{}\" removed on line {}",
                                              head(statement), fn.name, found[0]->method,
                                              found[0]->table.qualified(),
                                              src_.position(ts_node_start_byte(found[0]->statement)).line)});
      return;
    }
    out_.diagnostics.push_back(
        {codes::kDependentOwnWork, at,
         fmt::format("{} in {}() needs \"{}\", whose {} on line {} is removed; the file is left untouched "
                     "(remove both by hand, or keep line {} with `# alembic-fix: keep`)",
                     head(statement), fn.name, found[0]->table.qualified(), found[0]->method,
                     src_.position(ts_node_start_byte(found[0]->statement)).line,
                     src_.position(ts_node_start_byte(found[0]->statement)).line)});
  }
  // `op.execute`, `hq = sa.table`: the statement's first words, on one line.
  std::string head(TSNode statement) const {
    std::string_view text = tree_.text(statement);
    size_t end = text.find_first_of("(\r\n");
    std::string out(text.substr(0, std::min<size_t>(end, 60)));
    return out;
  }

  // A compound statement's header naming a removed table is never part of the re-creation: the
  // file is refused. A batch block whose every statement goes is the exception (it goes whole);
  // one that keeps a statement (on another alias, say) would still open the missing table.
  void judge_header(const MigrationFunction& fn, TSNode statement, const std::vector<TSNode>& header) {
    for (const auto& b : fn.batches)
      if (key(b.statement) == key(statement) && all_statements_go(b.body)) return;
    for (TSNode part : header) {
      auto found = mentions(fn, part);
      if (found.empty()) continue;
      uint32_t line = src_.position(ts_node_start_byte(found[0]->statement)).line;
      out_.diagnostics.push_back(
          {codes::kDependentOwnWork, src_.position(ts_node_start_byte(statement)),
           fmt::format("the header of this {} in {}() names \"{}\", whose {} on line {} is removed; the file is "
                       "left untouched (remove both by hand, or keep line {} with `# alembic-fix: keep`)",
                       ts_node_type(statement), fn.name, found[0]->table.qualified(), found[0]->method, line, line)});
      return;
    }
  }

  bool all_statements_go(TSNode block) const {
    uint32_t n = ts_node_named_child_count(block);
    for (uint32_t i = 0; i < n; ++i) {
      TSNode statement = ts_node_named_child(block, i);
      if (is(statement, "comment") || removed_.count(key(statement))) continue;
      if (std::none_of(out_.removals.begin(), out_.removals.end(),
                       [&](TSNode r) { return key(r) == key(statement); }))
        return false;
    }
    return true;
  }

  void visit_block(const MigrationFunction& fn, TSNode block) {
    uint32_t n = ts_node_named_child_count(block);
    for (uint32_t i = 0; i < n; ++i) visit_statement(fn, ts_node_named_child(block, i));
  }
  void visit_statement(const MigrationFunction& fn, TSNode statement) {
    if (is(statement, "comment") || removed_.count(key(statement)) || kept_.count(key(statement))) return;
    if (is(statement, "function_definition") || is(statement, "class_definition") ||
        is(statement, "decorated_definition"))
      return;
    bool compound = false;
    std::vector<TSNode> header;  // an `if` condition, `with` items, a `for` iterable...
    uint32_t n = ts_node_named_child_count(statement);
    for (uint32_t i = 0; i < n; ++i) {
      TSNode child = ts_node_named_child(statement, i);
      if (is(child, "block")) {
        compound = true;
        visit_block(fn, child);
      } else if (ts_node_named_child_count(child) && is(ts_node_named_child(child, ts_node_named_child_count(child) - 1), "block")) {
        compound = true;  // elif/else/except/finally/case clauses
        visit_statement(fn, child);
      } else {
        header.push_back(child);
      }
    }
    if (compound) {
      judge_header(fn, statement, header);
    } else {
      add_alias(statement, aliases_);
      judge(fn, statement);
    }
  }

  const Source& src_;
  const SyntaxTree& tree_;
  const Migration& view_;
  std::set<Key> removed_, kept_;
  std::vector<Alias> module_aliases_, aliases_;
  std::vector<Gone> gone_;
  Dependents out_;
};

}  // namespace

Dependents find_dependents(const Source& src, const SyntaxTree& tree, const Migration& view,
                           std::span<const TSNode> removed, std::span<const TSNode> kept) {
  return Finder(src, tree, view, removed, kept).run();
}

}  // namespace alembic_fix
