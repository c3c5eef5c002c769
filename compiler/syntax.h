// RAII over tree-sitter and the few node queries the compiler needs. The tree only says where
// things are; text always comes from the source bytes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tree_sitter/api.h>

#include "compiler/edits.h"

extern "C" const TSLanguage* tree_sitter_python(void);

namespace alembic_fix {

struct TreeDeleter {
  void operator()(TSTree* tree) const { ts_tree_delete(tree); }
};
struct ParserDeleter {
  void operator()(TSParser* parser) const { ts_parser_delete(parser); }
};

class SyntaxTree {
 public:
  SyntaxTree(std::unique_ptr<TSTree, TreeDeleter> tree, std::string_view text)
      : tree_(std::move(tree)), text_(text) {}
  TSNode root() const { return ts_tree_root_node(tree_.get()); }
  std::string_view text() const { return text_; }
  std::string_view text(TSNode node) const {
    return text_.substr(ts_node_start_byte(node), ts_node_end_byte(node) - ts_node_start_byte(node));
  }
  // The first ERROR or MISSING node in document order, if the parse failed anywhere.
  std::optional<TSNode> first_error() const;
  const TSTree* raw() const { return tree_.get(); }

 private:
  std::unique_ptr<TSTree, TreeDeleter> tree_;
  std::string_view text_;
};

// One parser per thread: tree-sitter parsers are not shareable, but reusable across files.
class PythonParser {
 public:
  PythonParser();
  // The tree refers to `text`, which must outlive it.
  SyntaxTree parse(std::string_view text);
  // Parses `text`, which is `old`'s text with `edits` (sorted, disjoint) spliced in, reusing
  // `old`: tree-sitter parses again only what the edits touched.
  SyntaxTree reparse(const SyntaxTree& old, std::string_view text, const std::vector<Edit>& edits);

 private:
  std::unique_ptr<TSParser, ParserDeleter> parser_;
};

// A TSTreeCursor that deletes itself. It never moves above the node it starts at.
class TreeCursor {
 public:
  explicit TreeCursor(TSNode root) : cursor_(ts_tree_cursor_new(root)) {}
  ~TreeCursor() { ts_tree_cursor_delete(&cursor_); }
  TreeCursor(const TreeCursor&) = delete;
  TreeCursor& operator=(const TreeCursor&) = delete;
  TSNode node() const { return ts_tree_cursor_current_node(&cursor_); }
  bool first_child() { return ts_tree_cursor_goto_first_child(&cursor_); }
  bool next_sibling() { return ts_tree_cursor_goto_next_sibling(&cursor_); }
  bool parent() { return ts_tree_cursor_goto_parent(&cursor_); }
  // The field the current node fills in its parent ("" for none): a cursor knows it for every
  // child, where 0.20's ts_node_field_name_for_child names only the first of a repeated field.
  std::string_view field_name() const {
    const char* name = ts_tree_cursor_current_field_name(&cursor_);
    return name ? std::string_view(name) : std::string_view();
  }

 private:
  TSTreeCursor cursor_;
};

// What a pre-order walk does after visiting a node.
enum class WalkStep { kDescend, kSkipChildren, kStop };

// Visits `root` and every node below it in document order (pre-order), each with its depth
// below `root` (0 for root); `visit(node, depth)` returns a WalkStep. A cursor, not recursion,
// so nesting depth is bounded only by memory. The one tree walk of the compiler.
template <typename Visit>
void walk_preorder(TSNode root, Visit&& visit) {
  TreeCursor cursor(root);
  uint32_t depth = 0;
  for (;;) {
    WalkStep step = visit(cursor.node(), depth);
    if (step == WalkStep::kStop) return;
    if (step == WalkStep::kDescend && cursor.first_child()) {
      ++depth;
      continue;
    }
    // Next in document order: a sibling, else the nearest ancestor's sibling, never above root.
    for (;;) {
      if (depth == 0) return;
      if (cursor.next_sibling()) break;
      cursor.parent();
      --depth;
    }
  }
}

// A named node kind as a number, to compare in walks that visit every node.
TSSymbol grammar_symbol(std::string_view kind);

// Node helpers: kinds are compared as strings interned by the grammar.
bool is(TSNode node, std::string_view kind);
TSNode field(TSNode node, const char* name);
// A string literal's value when it is a plain literal (no interpolation, no escapes, no bytes
// prefix), or the concatenation of such literals; nullopt when it is not static.
std::optional<std::string> string_value(const SyntaxTree& tree, TSNode node);

// A call's arguments by position and by keyword (comments skipped).
struct Arguments {
  std::vector<TSNode> positional;
  std::vector<std::pair<std::string_view, TSNode>> keywords;
  bool has_star = false;  // *args or **kwargs: positions are no longer static
  TSNode keyword(std::string_view name) const {
    for (auto& [k, v] : keywords)
      if (k == name) return v;
    return TSNode{};
  }
};
Arguments read_arguments(const SyntaxTree& tree, TSNode call);
bool is_none(const SyntaxTree& tree, TSNode node);

}  // namespace alembic_fix
