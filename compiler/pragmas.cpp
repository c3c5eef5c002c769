#include "compiler/pragmas.h"

namespace alembic_fix {
namespace {

constexpr std::string_view kMarker = "alembic-fix:";

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// `# alembic-fix: keep (reason)`: the word after the marker decides; text after it is a note.
PragmaKind kind_of(std::string_view text) {
  size_t end = text.find_first_of(" \t(");
  std::string_view word = text.substr(0, end);
  if (word == "keep") return PragmaKind::kKeep;
  if (word == "skip-file") return PragmaKind::kSkipFile;
  return PragmaKind::kUnknown;
}

void visit_comment(const SyntaxTree& tree, TSNode node, std::vector<Pragma>& out) {
  std::string_view text = tree.text(node);
  if (!text.starts_with('#')) return;
  std::string_view body = trim(text.substr(1));
  if (!body.starts_with(kMarker)) return;
  Pragma p{};
  p.comment = node;
  p.text = trim(body.substr(kMarker.size()));
  p.kind = kind_of(p.text);
  p.row = ts_node_start_point(node).row;
  std::string_view source = tree.text();
  size_t start = ts_node_start_byte(node), line = source.rfind('\n', start == 0 ? 0 : start - 1);
  line = (line == std::string_view::npos || start == 0) ? 0 : line + 1;
  p.ends_code = trim(source.substr(line, start - line)).size() > 0;
  p.top_level = is(ts_node_parent(node), "module");
  out.push_back(p);
}

}  // namespace

std::vector<Pragma> read_pragmas(const SyntaxTree& tree) {
  std::vector<Pragma> out;
  if (tree.text().find(kMarker) == std::string_view::npos) return out;
  // Comments may sit anywhere in the tree (between arguments, after a block), so every node is
  // visited; this only runs on files that mention the marker at all.
  walk_preorder(tree.root(), [&](TSNode node, uint32_t) {
    if (is(node, "comment")) visit_comment(tree, node, out);
    return WalkStep::kDescend;
  });
  return out;
}

}  // namespace alembic_fix
