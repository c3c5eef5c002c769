// Byte-range edits and the one place that applies them. Passes only describe changes.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace alembic_fix {

struct Edit {
  size_t start = 0;  // into Source::text()
  size_t end = 0;    // start == end: an insertion
  std::string replacement;
};

// Sorted by position; throws OverlapError when two edits touch the same bytes (two insertions
// at one offset count as overlapping: their order would be a guess).
std::vector<Edit> sorted_edits(std::vector<Edit> edits);
struct OverlapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// text with the (sorted, disjoint) edits spliced in; every other byte is copied as is.
std::string splice(std::string_view text, const std::vector<Edit>& edits);

// A unified diff of text -> splice(text, edits), built from the edits themselves: every edit
// covers whole lines, so hunks are exact without a general diff algorithm.
std::string unified_diff(std::string_view text, const std::vector<Edit>& edits, std::string_view path,
                         int context = 3);

}  // namespace alembic_fix
