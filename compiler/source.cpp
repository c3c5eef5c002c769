#include "compiler/source.h"

#include <algorithm>

namespace alembic_fix {

Source::Source(std::string bytes) : bytes_(std::move(bytes)) {
  if (bytes_.starts_with("\xEF\xBB\xBF")) bom_size_ = 3;
  std::string_view t = text();
  line_starts_.push_back(0);
  bool newline_seen = false;
  for (size_t i = 0; i < t.size(); ++i) {
    bool lone_cr = t[i] == '\r' && (i + 1 == t.size() || t[i + 1] != '\n');
    if (t[i] != '\n' && !lone_cr) continue;
    lone_cr_ = lone_cr_ || lone_cr;
    if (!newline_seen) {
      // The first line ending decides the style; mixed files keep every existing ending.
      newline_ = lone_cr ? std::string_view("\r")
                 : (i > 0 && t[i - 1] == '\r') ? std::string_view("\r\n") : std::string_view("\n");
      newline_seen = true;
    }
    line_starts_.push_back(i + 1);
  }
  if (lone_cr_) parse_copy_ = with_lf_line_ends(t);
}

bool has_lone_cr(std::string_view t) {
  for (size_t i = t.find('\r'); i != std::string_view::npos; i = t.find('\r', i + 1))
    if (i + 1 == t.size() || t[i + 1] != '\n') return true;
  return false;
}

std::string with_lf_line_ends(std::string_view t) {
  std::string out(t);
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i] == '\r' && (i + 1 == out.size() || out[i + 1] != '\n')) out[i] = '\n';
  return out;
}

size_t Source::line_start(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return *(it - 1);
}

size_t Source::line_end(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return it == line_starts_.end() ? text().size() : *it;
}

std::string_view Source::line_terminator(size_t offset) const {
  std::string_view t = text();
  size_t end = line_end(offset);
  if (end == 0) return {};
  if (t[end - 1] == '\r') return t.substr(end - 1, 1);
  if (t[end - 1] != '\n') return {};
  if (end >= 2 && t[end - 2] == '\r') return t.substr(end - 2, 2);
  return t.substr(end - 1, 1);
}

bool Source::line_is_blank(size_t start) const {
  std::string_view t = text();
  size_t end = line_end(start);
  if (start == end) return false;  // the empty remainder after a final newline is not a line
  for (size_t i = start; i < end; ++i) {
    char c = t[i];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f') return false;
  }
  return true;
}

Position Source::position(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  size_t line_index = static_cast<size_t>(it - line_starts_.begin()) - 1;
  size_t start = line_starts_[line_index];
  std::string_view t = text();
  uint32_t column = 1;
  for (size_t i = start; i < offset && i < t.size(); ++i) {
    // Count code points: continuation bytes (10xxxxxx) do not start a character.
    if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) ++column;
  }
  return {static_cast<uint32_t>(line_index + 1), column};
}

}  // namespace alembic_fix
