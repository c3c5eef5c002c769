// tidy: turns the statements passes remove into edits that leave the file as if the statements
// had never been written. A removed statement takes its whole lines; it takes the blank lines
// after it when it opened its group (first in its block, or after a blank line) and always for a
// batch block, whose trailing blank line Alembic writes as part of it. A block left with no
// statement gets `pass` at its indentation; an emptied `with op.batch_alter_table` goes whole.
#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "passes/pass.h"

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

bool is_batch_statement(const PassInput& in, TSNode with_statement) {
  for (const auto& fn : in.view.functions)
    for (const auto& b : fn.batches)
      if (key(b.statement) == key(with_statement)) return true;
  return false;
}

size_t indentation_width(std::string_view text, size_t line_start) {
  size_t i = line_start;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  return i - line_start;
}

}  // namespace

std::vector<Edit> tidy_removals(const PassInput& in, std::span<const Removal> removals,
                                std::vector<Diagnostic>& diagnostics) {
  const Source& src = in.source;
  std::string_view text = src.text();
  std::set<Key> removed;
  std::vector<TSNode> blocks;
  for (const auto& r : removals) {
    if (removed.insert(key(r.statement)).second) blocks.push_back(ts_node_parent(r.statement));
  }
  // A block whose statements all go: a batch block goes whole (which may empty its parent in
  // turn), any other block will hold `pass`.
  std::vector<TSNode> emptied;
  std::set<Key> seen_blocks;
  while (!blocks.empty()) {
    TSNode block = blocks.back();
    blocks.pop_back();
    if (!is(block, "block") || !seen_blocks.insert(key(block)).second) continue;
    auto stmts = statements(block);
    bool all = std::all_of(stmts.begin(), stmts.end(), [&](TSNode s) { return removed.count(key(s)); });
    if (!all) continue;
    TSNode owner = ts_node_parent(block);
    if (is(owner, "with_statement") && is_batch_statement(in, owner)) {
      if (removed.insert(key(owner)).second) blocks.push_back(ts_node_parent(owner));
      seen_blocks.erase(key(ts_node_parent(owner)));  // re-check the parent with this removal
    } else {
      emptied.push_back(block);
    }
  }

  // Only outermost removals become edits: the inside of a removed batch block goes with it.
  std::vector<TSNode> outermost;
  std::vector<TSNode> candidates;
  for (const auto& r : removals) candidates.push_back(r.statement);
  for (const auto& fn : in.view.functions)
    for (const auto& b : fn.batches)
      if (removed.count(key(b.statement))) candidates.push_back(b.statement);
  std::set<Key> emitted;
  for (TSNode n : candidates) {
    bool inside = false;
    for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); p = ts_node_parent(p))
      if (removed.count(key(p))) inside = true;
    if (!inside && emitted.insert(key(n)).second) outermost.push_back(n);
  }
  std::sort(outermost.begin(), outermost.end(),
            [](TSNode a, TSNode b) { return ts_node_start_byte(a) < ts_node_start_byte(b); });

  std::set<Key> pass_placed;
  std::vector<Edit> edits;
  for (TSNode stmt : outermost) {
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
      continue;
    }
    size_t range_end = last_line_end;
    TSNode prev = ts_node_prev_named_sibling(stmt);
    while (!ts_node_is_null(prev) && is(prev, "comment")) prev = ts_node_prev_named_sibling(prev);
    bool opens_group = ts_node_is_null(prev) || (line_start > 0 && src.line_is_blank(src.line_start(line_start - 1)));
    if (opens_group || is(stmt, "with_statement")) {
      // Take the blank lines after it, unless they separate its block from what follows it.
      size_t probe = range_end;
      while (probe < text.size() && src.line_is_blank(probe)) probe = src.line_end(probe);
      if (probe < text.size() && indentation_width(text, probe) >= before.size()) range_end = probe;
    }
    TSNode block = ts_node_parent(stmt);
    std::string replacement;
    if (std::any_of(emptied.begin(), emptied.end(), [&](TSNode b) { return key(b) == key(block); }) &&
        pass_placed.insert(key(block)).second) {
      replacement = fmt::format("{}pass{}", before, src.line_terminator(end > start ? end - 1 : start));
    }
    edits.push_back({line_start, range_end, std::move(replacement)});
  }
  // Removing the last line of a file without a final newline: take the newline before it
  // instead, so the file still ends the way it did.
  if (!edits.empty() && !text.empty() && text.back() != '\n' && text.back() != '\r') {
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.start < b.start; });
    // Consecutive removals reaching the end act as one.
    size_t first = edits.size() - 1;
    while (first > 0 && edits[first - 1].end == edits[first].start && edits[first - 1].replacement.empty() &&
           edits[first].replacement.empty())
      --first;
    Edit& last = edits.back();
    size_t start = edits[first].start;
    if (last.end == text.size() && last.replacement.empty() && start > 0 &&
        (text[start - 1] == '\n' || text[start - 1] == '\r') &&
        (first == 0 || edits[first - 1].end < start)) {
      size_t cut = start - 1;
      if (text[cut] == '\n' && cut > 0 && text[cut - 1] == '\r') --cut;  // CRLF: both bytes
      Edit merged{cut, text.size(), ""};
      edits.erase(edits.begin() + static_cast<long>(first), edits.end());
      edits.push_back(merged);
    }
  }
  return edits;
}

}  // namespace alembic_fix
