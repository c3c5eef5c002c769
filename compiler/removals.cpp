// A removed statement takes its whole lines; it takes the blank lines after it when it opened
// its group (first in its block, or after a blank line) and always for a batch block, whose
// trailing blank line Alembic writes as part of it. A block left with no statement (a function's
// docstring aside) gets `pass` at its indentation; an emptied `with op.batch_alter_table` goes whole.
#include "compiler/removals.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace alembic_fix {
namespace {

// A block holding one statement spans the same bytes as it: the kind tells them apart.
using Key = std::tuple<uint32_t, uint32_t, TSSymbol>;
Key key(TSNode n) { return {ts_node_start_byte(n), ts_node_end_byte(n), ts_node_symbol(n)}; }

bool is_statement(TSNode n) { return ts_node_is_named(n) && !is(n, "comment"); }

std::vector<TSNode> statements(TSNode block) {
  std::vector<TSNode> out;
  uint32_t count = ts_node_child_count(block);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode c = ts_node_child(block, i);
    if (is_statement(c)) out.push_back(c);
  }
  return out;
}

// A function's docstring: a plain string (no f- or b- prefix) as the first statement of its body.
bool is_docstring(TSNode block, TSNode stmt, std::string_view text) {
  if (!is(ts_node_parent(block), "function_definition") || !is(stmt, "expression_statement") ||
      ts_node_named_child_count(stmt) != 1 || !ts_node_eq(stmt, ts_node_named_child(block, 0)))
    return false;
  TSNode expr = ts_node_named_child(stmt, 0);
  std::vector<TSNode> parts;
  if (is(expr, "string")) parts.push_back(expr);
  if (is(expr, "concatenated_string"))
    for (uint32_t i = 0; i < ts_node_named_child_count(expr); ++i) parts.push_back(ts_node_named_child(expr, i));
  return !parts.empty() && std::all_of(parts.begin(), parts.end(), [&](TSNode s) {
    std::string_view part = text.substr(ts_node_start_byte(s), ts_node_end_byte(s) - ts_node_start_byte(s));
    std::string_view prefix = part.substr(0, part.find_first_of("'\""));
    return is(s, "string") && prefix.find_first_of("fFbB") == std::string_view::npos;
  });
}

bool is_batch_statement(const Migration& view, TSNode with_statement) {
  for (const auto& fn : view.functions)
    for (const auto& b : fn.batches)
      if (b.whole_statement && key(b.statement) == key(with_statement)) return true;
  return false;
}

size_t indentation_width(std::string_view text, size_t line_start) {
  size_t i = line_start;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  return i - line_start;
}

// What goes: every removed statement, plus each batch block all of whose statements go; and
// the blocks left with no statement, which will hold `pass`.
struct RemovedSet {
  std::set<Key> removed;
  std::vector<TSNode> emptied;
  bool is_emptied(TSNode block) const {
    return std::any_of(emptied.begin(), emptied.end(), [&](TSNode b) { return key(b) == key(block); });
  }
};

// Alembic >= 1.15 opens upgrade()/downgrade() with a docstring and still writes `pass` after it
// when there is nothing to do: a body left with only its docstring counts as emptied.
RemovedSet close_removals(const Source& src, const Migration& view, std::span<const Removal> removals) {
  RemovedSet out;
  std::vector<TSNode> blocks;
  for (const auto& r : removals)
    if (out.removed.insert(key(r.statement)).second) blocks.push_back(ts_node_parent(r.statement));
  // A batch block whose statements all go goes whole, which may empty its parent in turn.
  std::set<Key> seen_blocks;
  while (!blocks.empty()) {
    TSNode block = blocks.back();
    blocks.pop_back();
    if (!is(block, "block") || !seen_blocks.insert(key(block)).second) continue;
    auto stmts = statements(block);
    bool all = std::all_of(stmts.begin(), stmts.end(),
                           [&](TSNode s) { return out.removed.count(key(s)) || is_docstring(block, s, src.text()); });
    if (!all) continue;
    TSNode owner = ts_node_parent(block);
    if (is(owner, "with_statement") && is_batch_statement(view, owner)) {
      if (out.removed.insert(key(owner)).second) blocks.push_back(ts_node_parent(owner));
      seen_blocks.erase(key(ts_node_parent(owner)));  // re-check the parent with this removal
    } else {
      out.emptied.push_back(block);
    }
  }
  return out;
}

// Only outermost removals become edits: the inside of a removed batch block goes with it.
std::vector<TSNode> outermost_removals(const Migration& view, std::span<const Removal> removals,
                                       const std::set<Key>& removed) {
  std::vector<TSNode> candidates;
  for (const auto& r : removals) candidates.push_back(r.statement);
  for (const auto& fn : view.functions)
    for (const auto& b : fn.batches)
      if (removed.count(key(b.statement))) candidates.push_back(b.statement);
  std::vector<TSNode> outermost;
  std::set<Key> emitted;
  for (TSNode n : candidates) {
    bool inside = false;
    for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); p = ts_node_parent(p))
      if (removed.count(key(p))) inside = true;
    if (!inside && emitted.insert(key(n)).second) outermost.push_back(n);
  }
  std::sort(outermost.begin(), outermost.end(),
            [](TSNode a, TSNode b) { return ts_node_start_byte(a) < ts_node_start_byte(b); });
  return outermost;
}

// Where the removal of `stmt`, whose lines span [line_start, last_line_end), ends: past the blank
// lines after it when it opened its group or is a batch block, unless they separate its block
// from what follows it.
size_t removal_end(const Source& src, TSNode stmt, size_t line_start, size_t last_line_end, size_t indent) {
  std::string_view text = src.text();
  TSNode prev = ts_node_prev_named_sibling(stmt);
  while (!ts_node_is_null(prev) && is(prev, "comment")) prev = ts_node_prev_named_sibling(prev);
  bool opens_group = ts_node_is_null(prev) || (line_start > 0 && src.line_is_blank(src.line_start(line_start - 1)));
  if (!opens_group && !is(stmt, "with_statement")) return last_line_end;
  size_t probe = last_line_end;
  while (probe < text.size() && src.line_is_blank(probe)) probe = src.line_end(probe);
  return probe < text.size() && indentation_width(text, probe) >= indent ? probe : last_line_end;
}

// The edit removing one outermost statement's lines, with `pass` when it is the first removal
// of a block left empty; nullopt (and AF205) when the statement shares a line with other code.
std::optional<Edit> statement_edit(const Source& src, TSNode stmt, const RemovedSet& set, std::set<Key>& pass_placed,
                                   std::vector<Diagnostic>& diagnostics) {
  std::string_view text = src.text();
  size_t start = ts_node_start_byte(stmt), end = ts_node_end_byte(stmt);
  size_t line_start = src.line_start(start);
  size_t last_line_end = src.line_end(end > start ? end - 1 : start);
  std::string_view before = text.substr(line_start, start - line_start);
  std::string_view after = text.substr(end, last_line_end - end);
  // A `;` that ends the statement with nothing after it belongs to the statement.
  size_t after_code = after.find_first_not_of(" \t\r\n\f");
  if (after_code != std::string_view::npos && after[after_code] == ';')
    after_code = after.find_first_not_of(" \t\r\n\f", after_code + 1);
  bool whole_lines = before.find_first_not_of(" \t\f") == std::string_view::npos &&
                     (after_code == std::string_view::npos || after[after_code] == '#');
  if (!whole_lines) {
    diagnostics.push_back({codes::kUnsafeRemoval, src.position(start),
                           "the statement to remove shares its line with other code; split the line "
                           "or remove it by hand"});
    return std::nullopt;
  }
  size_t range_end = removal_end(src, stmt, line_start, last_line_end, before.size());
  TSNode block = ts_node_parent(stmt);
  std::string replacement;
  if (set.is_emptied(block) && pass_placed.insert(key(block)).second)
    replacement = fmt::format("{}pass{}", before, src.line_terminator(end > start ? end - 1 : start));
  return Edit{line_start, range_end, std::move(replacement)};
}

// Removing the last line of a file without a final newline: take the newline before it instead,
// so the file still ends the way it did. Consecutive removals reaching the end act as one.
void keep_missing_final_newline(std::string_view text, std::vector<Edit>& edits) {
  if (edits.empty() || text.empty() || text.back() == '\n' || text.back() == '\r') return;
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.start < b.start; });
  size_t first = edits.size() - 1;
  while (first > 0 && edits[first - 1].end == edits[first].start && edits[first - 1].replacement.empty() &&
         edits[first].replacement.empty())
    --first;
  const Edit& last = edits.back();
  size_t start = edits[first].start;
  if (last.end != text.size() || !last.replacement.empty() || start == 0 || (text[start - 1] != '\n' && text[start - 1] != '\r') ||
      (first > 0 && edits[first - 1].end >= start))
    return;
  size_t cut = start - 1;
  if (text[cut] == '\n' && cut > 0 && text[cut - 1] == '\r') --cut;  // CRLF: both bytes
  edits.erase(edits.begin() + static_cast<long>(first), edits.end());
  edits.push_back({cut, text.size(), ""});
}

}  // namespace

std::vector<Edit> lower_removals(const Source& src, const Migration& view, std::span<const Removal> removals,
                                 std::vector<Diagnostic>& diagnostics) {
  RemovedSet set = close_removals(src, view, removals);
  std::set<Key> pass_placed;
  std::vector<Edit> edits;
  for (TSNode stmt : outermost_removals(view, removals, set.removed))
    if (auto edit = statement_edit(src, stmt, set, pass_placed, diagnostics)) edits.push_back(std::move(*edit));
  keep_missing_final_newline(src.text(), edits);
  return edits;
}

}  // namespace alembic_fix
