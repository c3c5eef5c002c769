#include "compiler/annotation.h"

#include <string>

#include <fmt/format.h>

namespace alembic_fix {

AnnotationLine annotation_line(const Source& src, size_t identifiers_end, std::string_view target) {
  size_t end = identifiers_end;
  size_t at = src.line_end(end > 0 ? end - 1 : 0);
  std::string line = fmt::format("MIGRATION_TARGET = \"{}\"", target);
  std::string_view terminator = src.line_terminator(end > 0 ? end - 1 : 0);
  // The identifiers end the file without a final newline: start a line, keep the file's ending.
  std::string text = terminator.empty() ? std::string(src.newline()) + line : line + std::string(terminator);
  return {{at, at, std::move(text)},
          {kAnnotateTarget, src.position(at),
           fmt::format("MIGRATION_TARGET = \"{}\" added after the revision identifiers", target)}};
}

}  // namespace alembic_fix
