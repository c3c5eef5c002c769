#include "compiler/models/reader.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>

namespace alembic_fix {
namespace {

// Where SQLAlchemy's `Table` and `MetaData` come from (sqlmodel re-exports them). A `Table` from
// anywhere else (rich, prettytable) is not a database table.
constexpr std::array<std::string_view, 4> kSqlalchemyModules{"sqlalchemy", "sqlalchemy.schema",
                                                             "sqlalchemy.sql.schema", "sqlmodel"};

bool is_sqlalchemy_module(std::string_view module) {
  return std::find(kSqlalchemyModules.begin(), kSqlalchemyModules.end(), module) != kSqlalchemyModules.end();
}

// `a . b` is as valid as `a.b`: the dotted path from its identifiers, not its text.
std::string dotted(const SyntaxTree& tree, TSNode node) {
  std::string out;
  uint32_t n = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode part = ts_node_named_child(node, i);
    if (!is(part, "identifier")) continue;
    if (!out.empty()) out += '.';
    out += tree.text(part);
  }
  return out;
}

// The children of `node` in the repeatable field `name` (TreeCursor::field_name says why a cursor).
std::vector<TSNode> field_children(TSNode node, std::string_view name) {
  std::vector<TSNode> out;
  TreeCursor cursor(node);
  for (bool more = cursor.first_child(); more; more = cursor.next_sibling())
    if (cursor.field_name() == name) out.push_back(cursor.node());
  return out;
}

TSNode last_element(TSNode sequence) {
  TSNode last{};
  uint32_t n = ts_node_named_child_count(sequence);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode child = ts_node_named_child(sequence, i);
    if (!is(child, "comment")) last = child;
  }
  return last;
}

// SQLModel's default table name is the class name lowercased.
std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_type_checking(const SyntaxTree& tree, TSNode condition) {
  std::string_view text = tree.text(condition);
  return text == "TYPE_CHECKING" || text == "typing.TYPE_CHECKING";
}

class ModuleReader {
 public:
  ModuleReader(const Source& source, const SyntaxTree& tree, ModelModule& out)
      : source_(source), tree_(tree), out_(out) {}

  void read() {
    statements(tree_.root());
    calls();
    auto by_position = [](const auto& a, const auto& b) {
      return std::tie(a.position.line, a.position.column) < std::tie(b.position.line, b.position.column);
    };
    std::stable_sort(out_.tables.begin(), out_.tables.end(), by_position);
    std::stable_sort(out_.imports.begin(), out_.imports.end(), by_position);
    std::stable_sort(out_.problems.begin(), out_.problems.end(), by_position);
  }

 private:
  Position at(TSNode node) const { return source_.position(ts_node_start_byte(node)); }
  // Every problem the reader finds is a name it cannot read (AF305); parse errors are found before.
  void problem(TSNode node, std::string message) {
    out_.problems.push_back({codes::kComputedTableName, at(node), std::move(message)});
  }

  // What runs on import: module-level statements, also inside `if`/`try`/`with`, but not the
  // `if TYPE_CHECKING:` imports, which never run.
  void statements(TSNode module) {
    std::vector<TSNode> blocks{module};
    while (!blocks.empty()) {
      TSNode block = blocks.back();
      blocks.pop_back();
      uint32_t n = ts_node_named_child_count(block);
      for (uint32_t i = 0; i < n; ++i) {
        TSNode statement = ts_node_named_child(block, i);
        TSNode definition = is(statement, "decorated_definition") ? field(statement, "definition") : statement;
        if (is(statement, "import_statement")) import_statement(statement);
        else if (is(statement, "import_from_statement")) import_from(statement);
        else if (is(definition, "class_definition")) class_definition(definition);
        else if (is(statement, "expression_statement")) extension_assignment(statement);
        else if (is(statement, "if_statement") || is(statement, "try_statement") || is(statement, "with_statement"))
          push_blocks(statement, blocks);
      }
    }
  }

  void push_blocks(TSNode compound, std::vector<TSNode>& blocks) {
    bool skip_consequence = is(compound, "if_statement") && is_type_checking(tree_, field(compound, "condition"));
    TSNode consequence = field(compound, "consequence");
    uint32_t n = ts_node_named_child_count(compound);
    for (uint32_t i = 0; i < n; ++i) {
      TSNode child = ts_node_named_child(compound, i);
      if (is(child, "block")) {
        if (!(skip_consequence && ts_node_eq(child, consequence))) blocks.push_back(child);
        continue;
      }
      uint32_t m = ts_node_named_child_count(child);  // elif/else/except/finally clauses
      for (uint32_t j = 0; j < m; ++j)
        if (is(ts_node_named_child(child, j), "block")) blocks.push_back(ts_node_named_child(child, j));
    }
  }

  void import_statement(TSNode node) {
    for (TSNode name : field_children(node, "name")) {
      bool aliased = is(name, "aliased_import");
      std::string module = dotted(tree_, aliased ? field(name, "name") : name);
      if (aliased) modules_[std::string(tree_.text(field(name, "alias")))] = module;
      else modules_[module.substr(0, module.find('.'))] = module.substr(0, module.find('.'));
      out_.imports.push_back({0, module, {}, at(node)});
    }
  }

  void import_from(TSNode node) {
    ModelImport import;
    import.position = at(node);
    TSNode module = field(node, "module_name");
    if (is(module, "relative_import")) {
      uint32_t n = ts_node_named_child_count(module);
      for (uint32_t i = 0; i < n; ++i) {
        TSNode part = ts_node_named_child(module, i);
        if (is(part, "import_prefix")) import.level += static_cast<unsigned>(tree_.text(part).size());
        else if (is(part, "dotted_name")) import.module = dotted(tree_, part);
      }
    } else {
      import.module = dotted(tree_, module);
    }
    for (TSNode name : field_children(node, "name")) {
      bool aliased = is(name, "aliased_import");
      std::string imported = dotted(tree_, aliased ? field(name, "name") : name);
      std::string local = aliased ? std::string(tree_.text(field(name, "alias"))) : imported;
      if (import.level == 0) {
        names_[local] = {import.module, imported};
        modules_[local] = import.module + "." + imported;  // `from sqlalchemy import schema`
      }
      import.names.push_back(std::move(imported));
    }
    out_.imports.push_back(std::move(import));
  }

  void class_definition(TSNode cls) {
    std::string_view class_name = tree_.text(field(cls, "name"));
    bool sqlmodel_table = false;
    TSNode bases = field(cls, "superclasses");
    uint32_t n = ts_node_is_null(bases) ? 0 : ts_node_named_child_count(bases);
    for (uint32_t i = 0; i < n; ++i) {
      TSNode arg = ts_node_named_child(bases, i);
      if (is(arg, "keyword_argument") && tree_.text(field(arg, "name")) == "table" &&
          tree_.text(field(arg, "value")) == "True")
        sqlmodel_table = true;
    }

    std::optional<std::string> table_name;
    bool no_table = false;  // __abstract__ = True, or __tablename__ = None
    TSNode computed{}, table_args{}, bind_key{};
    TSNode body = field(cls, "body");
    n = ts_node_named_child_count(body);
    for (uint32_t i = 0; i < n; ++i) {
      TSNode statement = ts_node_named_child(body, i);
      TSNode definition = is(statement, "decorated_definition") ? field(statement, "definition") : statement;
      if (is(definition, "function_definition")) {
        std::string_view name = tree_.text(field(definition, "name"));
        if (name == "__tablename__") computed = statement;
        if (name == "__table_args__") table_args = statement;
        continue;
      }
      if (!is(statement, "expression_statement")) continue;
      TSNode assignment = ts_node_named_child(statement, 0);
      if (!is(assignment, "assignment")) continue;
      std::string_view target = tree_.text(field(assignment, "left"));
      TSNode value = field(assignment, "right");
      if (ts_node_is_null(value)) continue;  // `__tablename__: str`, an annotation alone
      if (target == "__tablename__") {
        if (is_none(tree_, value)) no_table = true;
        else if (auto literal = string_value(tree_, value)) table_name = std::move(literal);
        else computed = value;
      } else if (target == "__bind_key__") {
        bind_key = value;
      } else if (target == "__abstract__") {
        no_table = no_table || tree_.text(value) == "True";
      } else if (target == "__table_args__") {
        table_args = value;
      }
    }

    // Reported even on abstract classes and mixins: their computed name is what subclasses get.
    if (!ts_node_is_null(computed)) {
      bool by_function = is(computed, "decorated_definition") || is(computed, "function_definition");
      problem(computed, by_function ? fmt::format("class {}: `__tablename__` is computed by a function (@declared_attr), "
                                                  "so the table names it gives cannot be read; write "
                                                  "`__tablename__ = \"...\"` in each mapped class",
                                                  class_name)
                                    : fmt::format("class {}: `__tablename__` is not a string literal, so its table "
                                                  "name cannot be read; write `__tablename__ = \"...\"`",
                                                  class_name));
      return;
    }
    if (no_table) return;
    if (!table_name && !sqlmodel_table) return;  // a base or a mixin: no table of its own
    ModelTable table{{table_name ? *table_name : lowercase(class_name), ""}, at(cls), ""};
    if (!ts_node_is_null(table_args)) {
      auto schema = table_args_schema(table_args, class_name);
      if (!schema) return;
      table.table.schema = std::move(*schema);
    }
    if (!ts_node_is_null(bind_key)) {
      auto key = bind_key_value(bind_key, fmt::format("class {}", class_name));
      if (!key) return;
      table.bind_key = std::move(*key);
    }
    out_.tables.push_back(std::move(table));
  }

  // A bind key decides which database a table is in, so one that cannot be read is a problem.
  std::optional<std::string> bind_key_value(TSNode value, std::string_view owner) {
    if (is_none(tree_, value)) return std::string();
    if (auto literal = string_value(tree_, value)) return literal;
    problem(value, fmt::format("{}: the bind key is not a string literal, so the table's database cannot be read",
                               owner));
    return std::nullopt;
  }

  // The schema `__table_args__` gives: a dict, or a tuple ending in one. Empty when there is
  // none; nullopt (with a problem) when it cannot be read.
  std::optional<std::string> table_args_schema(TSNode value, std::string_view class_name) {
    if (!is(value, "dictionary") && !is(value, "tuple") && !is(value, "expression_list")) {
      problem(value, fmt::format("class {}: `__table_args__` is not a literal dict or tuple, so its schema cannot "
                                 "be read",
                                 class_name));
      return std::nullopt;
    }
    TSNode dict = is(value, "dictionary") ? value : last_element(value);
    if (!is(dict, "dictionary")) return std::string();
    uint32_t n = ts_node_named_child_count(dict);
    for (uint32_t i = 0; i < n; ++i) {
      TSNode entry = ts_node_named_child(dict, i);
      if (is(entry, "dictionary_splat")) {
        problem(entry, fmt::format("class {}: `__table_args__` unpacks another dict (**), so its schema cannot "
                                   "be read",
                                   class_name));
        return std::nullopt;
      }
      if (!is(entry, "pair") || string_value(tree_, field(entry, "key")) != "schema") continue;
      return schema_value(field(entry, "value"), fmt::format("class {}", class_name));
    }
    return std::string();
  }

  std::optional<std::string> schema_value(TSNode value, std::string_view owner) {
    if (is_none(tree_, value)) return std::string();
    if (auto literal = string_value(tree_, value)) return literal;
    problem(value, fmt::format("{}: the schema is not a string literal, so the table's name cannot be read", owner));
    return std::nullopt;
  }

  // "Table" or "MetaData" when `function` names SQLAlchemy's (also `db.Table`, `db` a
  // Flask-SQLAlchemy extension), else empty.
  std::string_view sqlalchemy_name(TSNode function) const {
    if (is(function, "attribute") && extensions_.count(tree_.text(field(function, "object"))) &&
        tree_.text(field(function, "attribute")) == "Table")
      return "Table";
    if (is(function, "identifier")) {
      auto it = names_.find(tree_.text(function));
      if (it != names_.end() && is_sqlalchemy_module(it->second.first)) return it->second.second;
      return {};
    }
    if (!is(function, "attribute")) return {};
    std::string_view object = tree_.text(field(function, "object"));
    std::string_view head = object.substr(0, object.find('.'));
    auto it = modules_.find(head);
    if (it == modules_.end()) return {};
    std::string module = it->second + std::string(object.substr(head.size()));
    return is_sqlalchemy_module(module) ? tree_.text(field(function, "attribute")) : std::string_view();
  }

  // Every Table(...) and MetaData(schema=...) in the module, wherever it is written.
  void calls() {
    walk_preorder(tree_.root(), [&](TSNode node, uint32_t) {
      if (!is(node, "call")) return WalkStep::kDescend;
      TSNode function = field(node, "function");
      std::string_view name = sqlalchemy_name(function);
      bool from_extension = is(function, "attribute") && extensions_.count(tree_.text(field(function, "object")));
      if (name == "Table") table_call(node, from_extension);
      else if (name == "MetaData") metadata_call(node);
      return WalkStep::kDescend;  // a call's arguments may hold more calls
    });
  }

  // Flask-SQLAlchemy's db.Table takes no metadata and may name a bind: `bind_key=`.
  void table_call(TSNode call, bool from_extension) {
    Arguments args = read_arguments(tree_, call);
    TSNode name = args.keyword("name");
    if (ts_node_is_null(name) && !args.positional.empty()) name = args.positional[0];
    if (ts_node_is_null(name)) {
      problem(call, "Table(...) without a name argument: the table's name cannot be read");
      return;
    }
    auto literal = string_value(tree_, name);
    if (!literal) {
      problem(name, "the name given to Table(...) is not a string literal, so it cannot be read");
      return;
    }
    ModelTable table{{std::move(*literal), ""}, at(call), ""};
    TSNode schema = args.keyword("schema");
    if (!ts_node_is_null(schema)) {
      auto value = schema_value(schema, fmt::format("Table(\"{}\")", table.table.name));
      if (!value) return;
      table.table.schema = std::move(*value);
    }
    TSNode bind_key = from_extension ? args.keyword("bind_key") : TSNode{};
    if (!ts_node_is_null(bind_key)) {
      auto key = bind_key_value(bind_key, fmt::format("Table(\"{}\")", table.table.name));
      if (!key) return;
      table.bind_key = std::move(*key);
    }
    out_.tables.push_back(std::move(table));
  }

  // `db = SQLAlchemy(...)` at module level, SQLAlchemy being flask_sqlalchemy's: `db.Table` is a
  // table. A `db` imported from another module is not followed here (its module is read on its own).
  void extension_assignment(TSNode statement) {
    TSNode assignment = ts_node_named_child(statement, 0);
    if (!is(assignment, "assignment") || !is(field(assignment, "left"), "identifier")) return;
    TSNode value = field(assignment, "right");
    if (ts_node_is_null(value) || !is(value, "call")) return;
    TSNode function = field(value, "function");
    bool flask = false;
    if (is(function, "identifier")) {
      auto it = names_.find(tree_.text(function));
      flask = it != names_.end() && it->second.first == "flask_sqlalchemy" && it->second.second == "SQLAlchemy";
    } else if (is(function, "attribute") && tree_.text(field(function, "attribute")) == "SQLAlchemy") {
      auto it = modules_.find(tree_.text(field(function, "object")));
      flask = it != modules_.end() && it->second == "flask_sqlalchemy";
    }
    if (flask) extensions_.insert(std::string(tree_.text(field(assignment, "left"))));
  }

  // A MetaData-wide schema applies to tables declared elsewhere: which ones cannot be told.
  void metadata_call(TSNode call) {
    TSNode schema = read_arguments(tree_, call).keyword("schema");
    if (ts_node_is_null(schema) || is_none(tree_, schema)) return;
    problem(schema, "MetaData(schema=...) gives its tables a default schema that alembic-fix does not apply; name "
                    "the schema in each table's `__table_args__` or Table(..., schema=...)");
  }

  const Source& source_;
  const SyntaxTree& tree_;
  ModelModule& out_;
  // Local names bound by imports: `from M import N as L` (L -> {M, N}) and `import M as L` (L -> M).
  std::map<std::string, std::pair<std::string, std::string>, std::less<>> names_;
  std::map<std::string, std::string, std::less<>> modules_;
  std::set<std::string, std::less<>> extensions_;  // names bound to flask_sqlalchemy.SQLAlchemy(...)
};

}  // namespace

ModelModule read_models(const Source& source, PythonParser& parser) {
  ModelModule out;
  SyntaxTree tree = parser.parse(source.text());
  if (auto error = tree.first_error()) {
    out.problems.push_back({codes::kModelsSyntaxError, source.position(ts_node_start_byte(*error)),
                            "the module does not parse, so the tables it defines cannot be read; fix the syntax "
                            "and run again"});
    return out;
  }
  ModuleReader(source, tree, out).read();
  return out;
}

}  // namespace alembic_fix
