// The bytes of one file, as read: BOM, newline style and a line index for positions.
// Everything downstream points into text(); nothing copies it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace alembic_fix {

struct Position {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in characters (UTF-8 code points)
};

class Source {
 public:
  explicit Source(std::string bytes);

  // The file without its UTF-8 BOM: what the parser sees and what edits address.
  std::string_view text() const { return std::string_view(bytes_).substr(bom_size_); }
  bool has_bom() const { return bom_size_ != 0; }
  std::string_view bom() const { return std::string_view(bytes_).substr(0, bom_size_); }

  // What the parser reads: text() with each lone "\r" (an old Mac line end, which Python accepts
  // and tree-sitter does not) as "\n". Same length, so every offset holds for both.
  std::string_view parse_text() const { return lone_cr_ ? std::string_view(parse_copy_) : text(); }

  // The file's own line ending ("\r\n", "\n" or "\r"), used for lines a pass inserts.
  std::string_view newline() const { return newline_; }

  // Offsets are into text().
  Position position(size_t offset) const;
  size_t line_start(size_t offset) const;
  // One past the line's terminator (or the end of text() on the last line).
  size_t line_end(size_t offset) const;
  // The line's terminator that ends at or after offset: "\r\n", "\n" or "" at end of file.
  std::string_view line_terminator(size_t offset) const;
  bool line_is_blank(size_t line_start_offset) const;

 private:
  std::string bytes_;
  size_t bom_size_ = 0;
  std::string_view newline_ = "\n";
  std::vector<size_t> line_starts_;  // offsets into text()
  bool lone_cr_ = false;
  std::string parse_copy_;  // only when lone_cr_
};

// `text` with each lone "\r" made "\n" (see Source::parse_text).
std::string with_lf_line_ends(std::string_view text);
bool has_lone_cr(std::string_view text);

}  // namespace alembic_fix
