#include "compiler/diagnostics.h"

#include <fmt/format.h>

namespace alembic_fix {

std::string format_text(std::string_view path, const Diagnostic& d, bool color) {
  std::string where = d.position.line ? fmt::format("{}:{}:{}", path, d.position.line, d.position.column)
                                      : std::string(path);
  if (!color) return fmt::format("{}: {} {}\n", where, d.code.id, d.message);
  std::string_view tint = d.code.severity == Severity::kError     ? "\x1b[1;31m"
                          : d.code.severity == Severity::kWarning ? "\x1b[1;33m"
                                                                  : "\x1b[1;32m";
  return fmt::format("\x1b[1m{}\x1b[0m: {}{}\x1b[0m {}\n", where, tint, d.code.id, d.message);
}

// GitHub workflow commands: escape what the runner would otherwise read as syntax.
static std::string github_escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else if (property && c == ':') out += "%3A";
    else if (property && c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string format_github(std::string_view path, const Diagnostic& d) {
  std::string_view level = d.code.severity == Severity::kError     ? "error"
                           : d.code.severity == Severity::kWarning ? "warning"
                                                                   : "notice";
  std::string props = "file=" + github_escape(path, true);
  if (d.position.line) props += fmt::format(",line={},col={}", d.position.line, d.position.column);
  props += ",title=" + github_escape(fmt::format("{} {}", d.code.id, d.code.name), true);
  return fmt::format("::{} {}::{}\n", level, props, github_escape(d.message, false));
}

std::string_view severity_name(Severity s) {
  return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "fix";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace alembic_fix
