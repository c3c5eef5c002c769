#include "compiler/syntax.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

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

}  // namespace

SyntaxTree PythonParser::reparse(const SyntaxTree& old, std::string_view text, const std::vector<Edit>& edits) {
  // Reuse pays when the edits sit close together (an annotation, a few lines); when they spread
  // over most of the file, parsing the (shorter) result afresh is cheaper.
  constexpr size_t kReuseBelowOneIn = 4;  // edits spanning more than a quarter of the file: parse afresh
  if (edits.empty() || kReuseBelowOneIn * (edits.back().end - edits.front().start) > old.text().size())
    return parse(text);
  // One edit spanning them all: ts_tree_edit copies the path to every edit it is given, which
  // for many small removals costs more than parsing afresh; the span costs one path.
  size_t start = edits.front().start, old_end = edits.back().end;
  size_t new_end = old_end;
  for (const Edit& e : edits) new_end = new_end - (e.end - e.start) + e.replacement.size();
  PointCursor before{old.text()}, after{text};
  TSInputEdit change{static_cast<uint32_t>(start), static_cast<uint32_t>(old_end), static_cast<uint32_t>(new_end),
                     before.advance_to(start), before.advance_to(old_end), after.advance_to(new_end)};
  std::unique_ptr<TSTree, TreeDeleter> edited(ts_tree_copy(old.raw()));
  ts_tree_edit(edited.get(), &change);
  TSTree* tree = ts_parser_parse_string(parser_.get(), edited.get(), text.data(), static_cast<uint32_t>(text.size()));
  if (!tree) throw std::runtime_error("tree-sitter gave up parsing");
  return SyntaxTree(std::unique_ptr<TSTree, TreeDeleter>(tree), text);
}

namespace {

// The first node in document order for which `hit` holds, visiting only the children of nodes
// for which `descend` holds.
template <typename Hit, typename Descend>
std::optional<TSNode> first_node(TSNode root, Hit hit, Descend descend) {
  std::optional<TSNode> found;
  walk_preorder(root, [&](TSNode node, uint32_t) {
    if (hit(node)) {
      found = node;
      return WalkStep::kStop;
    }
    return descend(node) ? WalkStep::kDescend : WalkStep::kSkipChildren;
  });
  return found;
}

// Statements that hold blocks, and the clauses between them: expressions never hold a block,
// so the search for an empty one skips them (most of a migration's nodes).
struct BlockHolders {
  TSSymbol block, comment;
  std::vector<TSSymbol> holders;
  BlockHolders() {
    block = grammar_symbol("block");
    comment = grammar_symbol("comment");
    for (std::string_view name :
         {"module", "block", "function_definition", "class_definition", "decorated_definition", "if_statement",
          "elif_clause", "else_clause", "for_statement", "while_statement", "try_statement", "except_clause",
          "except_group_clause", "finally_clause", "with_statement", "match_statement", "case_clause"})
      if (TSSymbol s = grammar_symbol(name)) holders.push_back(s);
  }
  bool holds(TSNode node) const {
    return std::find(holders.begin(), holders.end(), ts_node_symbol(node)) != holders.end();
  }
  // tree-sitter-python accepts a block with no statement in it (`def f():` and nothing after);
  // Python does not, and a removal that empties a block must not slip through the re-parse.
  bool is_empty_block(TSNode node) const {
    if (ts_node_symbol(node) != block) return false;
    uint32_t n = ts_node_named_child_count(node);
    for (uint32_t i = 0; i < n; ++i)
      if (ts_node_symbol(ts_node_named_child(node, i)) != comment) return false;
    return true;
  }
};

}  // namespace

std::optional<TSNode> SyntaxTree::first_error() const {
  static const BlockHolders blocks;
  TSNode root = this->root();
  if (ts_node_has_error(root)) {
    auto error = first_node(
        root, [](TSNode n) { return ts_node_is_missing(n) || is(n, "ERROR"); },
        [](TSNode n) { return ts_node_has_error(n); });
    return error ? error : root;
  }
  return first_node(
      root, [&](TSNode n) { return blocks.is_empty_block(n); }, [&](TSNode n) { return blocks.holds(n); });
}

TSSymbol grammar_symbol(std::string_view kind) {
  return ts_language_symbol_for_name(tree_sitter_python(), kind.data(), static_cast<uint32_t>(kind.size()), true);
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
