#include <doctest/doctest.h>

#include <string>

#include "compiler/op_names.h"

using namespace alembic_fix;

namespace {

bool known(std::string_view name) { return name == "drop_table" || name == "add_column"; }

// The operation each top-level expression statement's call reaches, in order ("" for none).
std::vector<std::string> methods(const std::string& source) {
  PythonParser parser;
  SyntaxTree tree = parser.parse(source);
  OpNames names = OpNames::read(tree);
  std::vector<std::string> out;
  TSNode root = tree.root();
  for (uint32_t i = 0; i < ts_node_named_child_count(root); ++i) {
    TSNode s = ts_node_named_child(root, i);
    if (!is(s, "expression_statement")) continue;
    TSNode call = ts_node_named_child(s, 0);
    if (is(call, "call")) out.emplace_back(names.method_of(tree, field(call, "function"), known));
  }
  return out;
}

}  // namespace

TEST_CASE("op names: the template's op, and an alias") {
  CHECK(methods("from alembic import op\nop.drop_table('x')\n") == std::vector<std::string>{"drop_table"});
  CHECK(methods("from alembic import op as m\nm.drop_table('x')\nother.drop_table('y')\n") ==
        std::vector<std::string>{"drop_table", ""});
}

TEST_CASE("op names: the dotted module, with and without an alias") {
  CHECK(methods("import alembic.op\nalembic.op.drop_table('x')\n") == std::vector<std::string>{"drop_table"});
  CHECK(methods("import alembic.op as a\na.add_column('x')\n") == std::vector<std::string>{"add_column"});
  // Without an import of alembic, `alembic.op` is some other object.
  CHECK(methods("alembic.op.drop_table('x')\n") == std::vector<std::string>{""});
}

TEST_CASE("op names: functions imported from alembic.op, renamed or by star") {
  CHECK(methods("from alembic.op import drop_table as remove, add_column\nremove('x')\nadd_column('t')\n"
                "drop_table('y')\n") == std::vector<std::string>{"drop_table", "add_column", ""});
  CHECK(methods("from alembic.op import *\ndrop_table('x')\nprint('y')\n") ==
        std::vector<std::string>{"drop_table", ""});
}
