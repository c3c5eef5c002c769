// An .ini file read the way Python's configparser reads it for Alembic (`ConfigParser(defaults)`):
// `[section]` headers, `key = value` or `key: value` (keys case-insensitive), values continued on
// more-indented lines (joined by newlines), full-line `#`/`;` comments, no inline comments, and
// `%(name)s` / `%%` interpolation from the section, [DEFAULT] and the defaults given.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace alembic_fix {

struct IniError : std::runtime_error {
  using std::runtime_error::runtime_error;  // "line N: why", or why an interpolation failed
};

class IniFile {
 public:
  // Throws IniError on a line configparser would refuse.
  static IniFile parse(std::string_view text, std::map<std::string, std::string> defaults);

  // The interpolated value, or nullopt when neither the section nor [DEFAULT] has the key
  // (configparser's has_option). Throws IniError on a bad interpolation.
  std::optional<std::string> get(std::string_view section, std::string_view key) const;

 private:
  using Section = std::map<std::string, std::string, std::less<>>;
  const std::string* raw(const Section* section, std::string_view key) const;
  std::string interpolate(const Section* section, std::string_view key, const std::string& value, int depth) const;

  std::map<std::string, Section, std::less<>> sections_;  // "DEFAULT" holds the defaults given and the file's
};

}  // namespace alembic_fix
