#include "compiler/syntax.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace alembic_fix {

PythonParser::PythonParser() : parser_(ts_parser_new()) {
  if (!parser_ || !ts_parser_set_language(parser_.get(), tree_sitter_python()))
    throw std::runtime_error("tree-sitter runtime rejected the python grammar (ABI mismatch)");
}

SyntaxTree PythonParser::parse(std::string_view text) {
  TSTree* tree = ts_parser_parse_string(parser_.get(), nullptr, text.data(),
                                        static_cast<uint32_t>(text.size()));
  if (!tree) throw std::runtime_error("tree-sitter gave up parsing");
  return SyntaxTree(std::unique_ptr<TSTree, TreeDeleter>(tree), text);
}

namespace {

// Where `offset` is as tree-sitter counts it: row, and column in bytes.
struct PointCursor {
  std::string_view text;
  size_t offset = 0;
  TSPoint point{0, 0};
  TSPoint advance_to(size_t target) {
    for (; offset < target; ++offset) {
      if (text[offset] == '\n') point = {point.row + 1, 0};
      else ++point.column;
    }
    return point;
  }
};

TSPoint extend(TSPoint start, std::string_view inserted) {
  for (char c : inserted) start = c == '\n' ? TSPoint{start.row + 1, 0} : TSPoint{start.row, start.column + 1};
  return start;
}

}  // namespace

SyntaxTree PythonParser::reparse(const SyntaxTree& old, std::string_view text, const std::vector<Edit>& edits) {
  std::vector<TSInputEdit> changes;
  changes.reserve(edits.size());
  PointCursor cursor{old.text()};
  for (const Edit& e : edits) {
    TSPoint start = cursor.advance_to(e.start);
    TSPoint old_end = cursor.advance_to(e.end);
    changes.push_back({static_cast<uint32_t>(e.start), static_cast<uint32_t>(e.end),
                       static_cast<uint32_t>(e.start + e.replacement.size()), start, old_end,
                       extend(start, e.replacement)});
  }
  std::unique_ptr<TSTree, TreeDeleter> edited(ts_tree_copy(old.raw()));
  // Last edit first: each one's coordinates are then still those of the original text.
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) ts_tree_edit(edited.get(), &*it);
  TSTree* tree = ts_parser_parse_string(parser_.get(), edited.get(), text.data(), static_cast<uint32_t>(text.size()));
  if (!tree) throw std::runtime_error("tree-sitter gave up parsing");
  return SyntaxTree(std::unique_ptr<TSTree, TreeDeleter>(tree), text);
}

// tree-sitter-python accepts a block with no statement in it (`def f():` and nothing after);
// Python does not, and a removal that empties a block must not slip through the re-parse.
static bool is_empty_block(TSNode node, TSSymbol block, TSSymbol comment) {
  if (ts_node_symbol(node) != block) return false;
  uint32_t n = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < n; ++i)
    if (ts_node_symbol(ts_node_named_child(node, i)) != comment) return false;
  return true;
}

std::optional<TSNode> SyntaxTree::first_error() const {
  static const TSLanguage* language = tree_sitter_python();
  static const TSSymbol block = ts_language_symbol_for_name(language, "block", 5, true);
  static const TSSymbol comment = ts_language_symbol_for_name(language, "comment", 7, true);
  constexpr TSSymbol kErrorSymbol = static_cast<TSSymbol>(-1);  // ts_builtin_sym_error in parser.h
  TSNode root = this->root();
  // Every node in document order, without recursion, so deep input is safe.
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  std::optional<TSNode> found;
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cursor);
    if (ts_node_symbol(node) == kErrorSymbol || ts_node_is_missing(node) || is_empty_block(node, block, comment)) {
      found = node;
      break;
    }
    if (ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) goto done;
    }
  }
done:
  ts_tree_cursor_delete(&cursor);
  if (!found && ts_node_has_error(root)) found = root;
  return found;
}

bool is(TSNode node, std::string_view kind) {
  return !ts_node_is_null(node) && kind == ts_node_type(node);
}

TSNode field(TSNode node, const char* name) {
  return ts_node_child_by_field_name(node, name, static_cast<uint32_t>(std::strlen(name)));
}

std::optional<std::string> string_value(const SyntaxTree& tree, TSNode node) {
  if (is(node, "parenthesized_expression") && ts_node_named_child_count(node) == 1)
    return string_value(tree, ts_node_named_child(node, 0));
  if (is(node, "concatenated_string")) {
    std::string out;
    uint32_t n = ts_node_named_child_count(node);
    for (uint32_t i = 0; i < n; ++i) {
      auto part = string_value(tree, ts_node_named_child(node, i));
      if (!part) return std::nullopt;
      out += *part;
    }
    return out;
  }
  if (!is(node, "string")) return std::nullopt;
  std::string out;
  uint32_t n = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode child = ts_node_named_child(node, i);
    if (is(child, "string_start")) {
      std::string_view prefix = tree.text(child);
      for (char c : prefix) {
        // f-strings and byte strings are not table names we can know statically.
        if (c == 'f' || c == 'F' || c == 'b' || c == 'B') return std::nullopt;
      }
    } else if (is(child, "string_content")) {
      if (ts_node_named_child_count(child) != 0) return std::nullopt;  // escapes inside
      out += tree.text(child);
    } else if (!is(child, "string_end")) {
      return std::nullopt;  // interpolation or escape sequence
    }
  }
  return out;
}

}  // namespace alembic_fix
