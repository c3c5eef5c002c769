// `# alembic-fix: ...` comments, the escape hatch a user writes where a rule is wrong for them
// (like ruff's `# noqa` and black's `# fmt: skip`):
//   `# alembic-fix: keep`       at the end of a statement's first line: that statement stays, and
//                               so does what depends on it (a kept drop keeps its downgrade mirror)
//   `# alembic-fix: skip-file`  anywhere at module level: the file is left alone
// Anything else after `alembic-fix:` is an unknown pragma, reported rather than ignored.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "compiler/syntax.h"

namespace alembic_fix {

enum class PragmaKind { kKeep, kSkipFile, kUnknown };

struct Pragma {
  PragmaKind kind;
  TSNode comment;
  uint32_t row;            // 0-based, as tree-sitter counts
  bool ends_code = false;  // code precedes the comment on its line
  bool top_level = false;  // the comment sits directly in the module
  std::string_view text;   // what follows `alembic-fix:`, trimmed
};

// Every pragma comment, in document order. Cheap when there is none: the bytes are searched
// before the tree is.
std::vector<Pragma> read_pragmas(const SyntaxTree& tree);

}  // namespace alembic_fix
