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

std::optional<TSNode> SyntaxTree::first_error() const {
  TSNode root = this->root();
  if (!ts_node_has_error(root)) return std::nullopt;
  // Walk down toward the first child that carries the error; no recursion, so deep input is safe.
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  std::optional<TSNode> found;
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cursor);
    if (is(node, "ERROR") || ts_node_is_missing(node)) {
      found = node;
      break;
    }
    if (ts_node_has_error(node) && ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) goto done;
    }
  }
done:
  ts_tree_cursor_delete(&cursor);
  if (!found) found = root;
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

Arguments read_arguments(const SyntaxTree& tree, TSNode call) {
  Arguments out;
  TSNode list = field(call, "arguments");
  if (!is(list, "argument_list")) {
    out.has_star = true;
    return out;
  }
  uint32_t n = ts_node_named_child_count(list);
  for (uint32_t i = 0; i < n; ++i) {
    TSNode arg = ts_node_named_child(list, i);
    if (is(arg, "comment")) continue;
    if (is(arg, "keyword_argument")) {
      out.keywords.emplace_back(tree.text(field(arg, "name")), field(arg, "value"));
    } else if (is(arg, "list_splat") || is(arg, "dictionary_splat")) {
      out.has_star = true;
    } else {
      out.positional.push_back(arg);
    }
  }
  return out;
}

bool is_none(const SyntaxTree& tree, TSNode node) { return is(node, "none") || tree.text(node) == "None"; }

}  // namespace alembic_fix
