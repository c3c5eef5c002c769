#include "compiler/edits.h"

#include <algorithm>
#include <fmt/format.h>

namespace alembic_fix {

std::vector<Edit> sorted_edits(std::vector<Edit> edits) {
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  for (size_t i = 1; i < edits.size(); ++i) {
    const Edit& prev = edits[i - 1];
    const Edit& next = edits[i];
    bool same_insertion_point = prev.start == next.start && (prev.start == prev.end || next.start == next.end);
    if (next.start < prev.end || same_insertion_point)
      throw OverlapError(fmt::format("edits overlap at bytes {}..{} and {}..{}", prev.start, prev.end,
                                     next.start, next.end));
  }
  return edits;
}

std::string splice(std::string_view text, const std::vector<Edit>& edits) {
  std::string out;
  size_t size = text.size();
  for (const auto& e : edits) size += e.replacement.size() - (e.end - e.start);
  out.reserve(size);
  size_t at = 0;
  for (const auto& e : edits) {
    out.append(text.substr(at, e.start - at));
    out.append(e.replacement);
    at = e.end;
  }
  out.append(text.substr(at));
  return out;
}

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(at, end - at));
    at = end;
  }
  return lines;
}

void append_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out.append(line);
  if (!line.ends_with('\n')) out += "\n\\ No newline at end of file\n";
}

// A changed stretch of the file: old lines [old_begin, old_end) become `new_lines`.
struct Region {
  size_t old_begin, old_end;
  std::vector<std::string_view> new_lines;
  std::string new_text;  // owns what new_lines point into
};

// Every edit widened to whole lines (edits that share a line merged), with the new text of those
// lines. `lines` are text's lines.
std::vector<Region> changed_regions(std::string_view text, const std::vector<std::string_view>& lines,
                                    const std::vector<Edit>& edits) {
  std::vector<size_t> starts;
  for (auto l : lines) starts.push_back(static_cast<size_t>(l.data() - text.data()));
  auto line_of = [&](size_t offset) -> size_t {
    return static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), offset) - starts.begin()) - 1;
  };
  auto line_begin = [&](size_t i) { return i < starts.size() ? starts[i] : text.size(); };

  // Widen every edit to whole lines, merging edits that share a line.
  std::vector<Region> regions;
  std::vector<std::vector<const Edit*>> members;
  for (const auto& e : edits) {
    size_t a = e.start == text.size() && (text.empty() || text.back() == '\n') ? lines.size() : line_of(e.start);
    size_t b;
    if (e.end > e.start) b = line_of(e.end - 1) + 1;
    else b = (a < lines.size() && e.start == starts[a]) || a == lines.size() ? a : a + 1;
    if (!regions.empty() && a < regions.back().old_end) {
      regions.back().old_end = std::max(regions.back().old_end, b);
      members.back().push_back(&e);
      continue;
    }
    regions.push_back(Region{a, b, {}, {}});
    members.push_back({&e});
  }
  for (size_t r = 0; r < regions.size(); ++r) {
    Region& region = regions[r];
    size_t base = line_begin(region.old_begin);
    std::string_view old_text = text.substr(base, line_begin(region.old_end) - base);
    std::vector<Edit> local;
    for (const Edit* e : members[r]) local.push_back(Edit{e->start - base, e->end - base, e->replacement});
    region.new_text = splice(old_text, local);
  }
  for (auto& region : regions) region.new_lines = split_lines(region.new_text);
  return regions;
}

}  // namespace

std::string unified_diff(std::string_view text, const std::vector<Edit>& edits, std::string_view path,
                         int context) {
  if (edits.empty()) return {};
  std::vector<std::string_view> lines = split_lines(text);
  std::vector<Region> regions = changed_regions(text, lines, edits);
  // A tab ends each name, as `diff -u` writes it: `patch` and `git apply` then read a name with
  // spaces whole instead of stopping at its first space.
  std::string out = fmt::format("--- {}\t\n+++ {}\t\n", path, path);
  long delta = 0;  // new line number minus old line number before the current hunk
  size_t i = 0;
  const size_t ctx = static_cast<size_t>(context);
  while (i < regions.size()) {
    // A hunk takes every region whose context touches the next one.
    size_t j = i;
    while (j + 1 < regions.size() && regions[j + 1].old_begin <= regions[j].old_end + 2 * ctx) ++j;
    size_t old_from = regions[i].old_begin >= ctx ? regions[i].old_begin - ctx : 0;
    size_t old_to = std::min(lines.size(), regions[j].old_end + ctx);
    std::string body;
    size_t old_count = 0, new_count = 0;
    size_t at = old_from;
    long hunk_delta = delta;
    for (size_t r = i; r <= j; ++r) {
      for (; at < regions[r].old_begin; ++at, ++old_count, ++new_count) append_line(body, ' ', lines[at]);
      for (; at < regions[r].old_end; ++at, ++old_count) append_line(body, '-', lines[at]);
      for (auto l : regions[r].new_lines) {
        append_line(body, '+', l);
        ++new_count;
      }
      delta += static_cast<long>(regions[r].new_lines.size()) -
               static_cast<long>(regions[r].old_end - regions[r].old_begin);
    }
    for (; at < old_to; ++at, ++old_count, ++new_count) append_line(body, ' ', lines[at]);
    // An empty side is numbered by the line before it, as diff(1) does.
    size_t old_start = old_count ? old_from + 1 : old_from;
    long new_first = static_cast<long>(old_from) + hunk_delta;
    long new_start = new_count ? new_first + 1 : new_first;
    out += fmt::format("@@ -{},{} +{},{} @@\n", old_start, old_count, new_start, new_count);
    out += body;
    i = j + 1;
  }
  return out;
}

}  // namespace alembic_fix
