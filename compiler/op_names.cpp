#include "compiler/op_names.h"

#include <algorithm>

namespace alembic_fix {
namespace {

// `name` or `name as alias` in an import: the dotted name's text and the name it binds.
std::pair<std::string_view, std::string_view> imported(const SyntaxTree& tree, TSNode item) {
  if (is(item, "aliased_import")) return {tree.text(field(item, "name")), tree.text(field(item, "alias"))};
  return {tree.text(item), {}};
}

}  // namespace

OpNames OpNames::read(const SyntaxTree& tree) {
  OpNames out;
  TSNode root = tree.root();
  uint32_t n = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode statement = ts_node_named_child(root, i);
    bool from = is(statement, "import_from_statement");
    if (!from && !is(statement, "import_statement")) continue;
    std::string_view module = from ? tree.text(field(statement, "module_name")) : std::string_view{};
    uint32_t count = ts_node_named_child_count(statement);
    for (uint32_t k = 0; k < count; ++k) {
      TSNode item = ts_node_named_child(statement, k);
      if (from && ts_node_start_byte(item) == ts_node_start_byte(field(statement, "module_name"))) continue;
      if (is(item, "wildcard_import")) {
        out.star_ = out.star_ || module == "alembic.op";
        continue;
      }
      auto [name, alias] = imported(tree, item);
      if (from && module == "alembic" && name == "op") {
        out.modules_.push_back(alias.empty() ? name : alias);
      } else if (from && module == "alembic.op") {
        out.functions_.emplace_back(alias.empty() ? name : alias, name);
      } else if (!from && name == "alembic.op" && !alias.empty()) {
        out.modules_.push_back(alias);
      } else if (!from && (name == "alembic.op" || name == "alembic") && alias.empty()) {
        out.dotted_ = true;  // `import alembic.op` binds `alembic`; its `op` is the module
      }
    }
  }
  return out;
}

bool OpNames::is_module(const SyntaxTree& tree, TSNode expression) const {
  if (is(expression, "identifier"))
    return std::find(modules_.begin(), modules_.end(), tree.text(expression)) != modules_.end();
  if (!dotted_ || !is(expression, "attribute")) return false;
  TSNode object = field(expression, "object");
  return is(object, "identifier") && tree.text(object) == "alembic" &&
         tree.text(field(expression, "attribute")) == "op";
}

std::string_view OpNames::method_of(const SyntaxTree& tree, TSNode function,
                                    bool (*known)(std::string_view)) const {
  if (is(function, "attribute")) {
    if (!is_module(tree, field(function, "object"))) return {};
    return tree.text(field(function, "attribute"));
  }
  if (!is(function, "identifier")) return {};
  std::string_view name = tree.text(function);
  for (const auto& [local, operation] : functions_)
    if (local == name) return operation;
  if (star_ && known(name)) return name;
  return {};
}

}  // namespace alembic_fix
