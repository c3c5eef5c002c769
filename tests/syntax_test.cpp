#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "compiler/syntax.h"

using namespace alembic_fix;

namespace {

std::string sexp(const SyntaxTree& tree) {
  std::unique_ptr<char, decltype(&std::free)> s(ts_node_string(tree.root()), &std::free);
  return s.get();
}

// Reparsing after the edits must see exactly what a fresh parse of the new text sees.
void check_reparse(const std::string& before, std::vector<Edit> edits) {
  PythonParser parser;
  SyntaxTree old = parser.parse(before);
  std::string after = splice(before, edits);
  SyntaxTree fresh = parser.parse(after);
  SyntaxTree incremental = parser.reparse(old, after, edits);
  CHECK(sexp(incremental) == sexp(fresh));
  CHECK(incremental.first_error().has_value() == fresh.first_error().has_value());
}

}  // namespace

TEST_CASE("an incremental reparse sees what a fresh parse sees") {
  std::string text = "revision = 'a'\n\n\ndef upgrade():\n    op.drop_table('x')\n    op.drop_table('y')\n\n\ndef downgrade():\n    pass\n";
  size_t drop_x = text.find("    op.drop_table('x')\n");
  // Removing one statement, removing both and inserting `pass`, inserting an annotation.
  check_reparse(text, {{drop_x, drop_x + 23, ""}});
  check_reparse(text, {{text.find("\n\n\ndef up") + 1, text.find("\n\n\ndef up") + 1, "MIGRATION_TARGET = \"plant\"\n"},
                       {drop_x, drop_x + 46, "    pass\n"}});
  // A removal that empties a block without `pass` breaks the file: the reparse must say so.
  PythonParser parser;
  SyntaxTree old = parser.parse(text);
  std::vector<Edit> breaking{{drop_x, drop_x + 46, ""}};
  std::string broken = splice(text, breaking);
  CHECK(parser.reparse(old, broken, breaking).first_error().has_value());
  check_reparse(text, breaking);
}

TEST_CASE("reparse across CRLF lines and multi-byte characters") {
  std::string text = "revision = 'é'\r\n\r\ndef upgrade():\r\n    op.drop_table('ü')\r\n    x = 1\r\n";
  size_t at = text.find("    op.drop_table");
  check_reparse(text, {{at, text.find("    x = 1"), ""}});
}

TEST_CASE("the pre-order walk visits in document order, skips and stops where told") {
  PythonParser parser;
  std::string text = "a = f(1)\nif x:\n    b = g(2)\nc = 3\n";
  SyntaxTree tree = parser.parse(text);
  std::vector<std::string> calls;
  uint32_t deepest = 0;
  walk_preorder(tree.root(), [&](TSNode node, uint32_t depth) {
    deepest = std::max(deepest, depth);
    if (is(node, "call")) calls.emplace_back(tree.text(node));
    return is(node, "call") ? WalkStep::kSkipChildren : WalkStep::kDescend;
  });
  CHECK(calls == std::vector<std::string>{"f(1)", "g(2)"});
  CHECK(deepest > 2);
  std::vector<std::string> until_if;
  walk_preorder(tree.root(), [&](TSNode node, uint32_t) {
    if (is(node, "if_statement")) return WalkStep::kStop;
    if (is(node, "identifier")) until_if.emplace_back(tree.text(node));
    return WalkStep::kDescend;
  });
  CHECK(until_if == std::vector<std::string>{"a", "f"});
  // Started below the root, the walk stays inside that node.
  std::vector<std::string> inside;
  TSNode if_statement = ts_node_named_child(tree.root(), 1);
  walk_preorder(if_statement, [&](TSNode node, uint32_t) {
    if (is(node, "identifier")) inside.emplace_back(tree.text(node));
    return WalkStep::kDescend;
  });
  CHECK(inside == std::vector<std::string>{"x", "b", "g"});
}
