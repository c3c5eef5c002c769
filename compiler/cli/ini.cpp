#include "compiler/cli/ini.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

namespace alembic_fix {
namespace {

std::string_view trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r\f\v");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r\f\v") - begin + 1);
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// configparser's MAX_INTERPOLATION_DEPTH: a value referring to itself fails instead of looping.
constexpr int kMaxInterpolationDepth = 10;

}  // namespace

IniFile IniFile::parse(std::string_view text, std::map<std::string, std::string> defaults) {
  IniFile ini;
  Section& defaults_section = ini.sections_["DEFAULT"];
  for (auto& [key, value] : defaults) defaults_section[lowercase(key)] = std::move(value);
  Section* section = nullptr;
  std::string* value = nullptr;  // the value a more-indented line continues
  size_t value_indent = 0, blank_lines = 0, number = 0;
  for (size_t start = 0; start <= text.size(); ++number) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    std::string_view content = trim(line);
    if (content.starts_with('#') || content.starts_with(';')) continue;  // even inside a value
    if (content.empty()) {
      blank_lines += value != nullptr;  // kept inside a value only if more of it follows
      continue;
    }
    size_t indent = line.find_first_not_of(" \t");
    if (value && indent > value_indent) {
      value->append(blank_lines + 1, '\n').append(content);
      blank_lines = 0;
      continue;
    }
    value = nullptr;
    blank_lines = 0;
    if (content.starts_with('[') && content.find(']') != std::string_view::npos) {
      section = &ini.sections_[std::string(content.substr(1, content.rfind(']') - 1))];
      continue;
    }
    if (!section) throw IniError(fmt::format("line {}: no [section] header before it", number + 1));
    size_t delimiter = content.find_first_of("=:");
    if (delimiter == std::string_view::npos || delimiter == 0)
      throw IniError(fmt::format("line {}: not a `key = value` line", number + 1));
    value = &((*section)[lowercase(trim(content.substr(0, delimiter)))] = std::string(trim(content.substr(delimiter + 1))));
    value_indent = indent;
  }
  return ini;
}

const std::string* IniFile::raw(const Section* section, std::string_view key) const {
  if (section)
    if (auto it = section->find(key); it != section->end()) return &it->second;
  const Section& defaults = sections_.at("DEFAULT");
  auto it = defaults.find(key);
  return it == defaults.end() ? nullptr : &it->second;
}

std::optional<std::string> IniFile::get(std::string_view section_name, std::string_view key) const {
  auto it = sections_.find(section_name);
  const Section* section = it == sections_.end() ? nullptr : &it->second;
  std::string name = lowercase(key);
  const std::string* value = raw(section, name);
  if (!value) return std::nullopt;
  return interpolate(section, name, *value, 1);
}

std::string IniFile::interpolate(const Section* section, std::string_view key, const std::string& value,
                                 int depth) const {
  if (depth > kMaxInterpolationDepth)
    throw IniError(fmt::format("{}: interpolation deeper than {} (a value that refers to itself?)", key,
                               kMaxInterpolationDepth));
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
    } else if (value.compare(i, 2, "%%") == 0) {
      out += '%';
      ++i;
    } else if (value.compare(i, 2, "%(") == 0) {
      size_t close = value.find(")s", i + 2);
      if (close == std::string::npos)
        throw IniError(fmt::format("{}: bad interpolation variable reference in \"{}\"", key, value));
      std::string name = lowercase(std::string_view(value).substr(i + 2, close - i - 2));
      const std::string* referred = raw(section, name);
      if (!referred) throw IniError(fmt::format("{}: \"%({})s\" names no option of the section", key, name));
      out += interpolate(section, name, *referred, depth + 1);
      i = close + 1;
    } else {
      throw IniError(fmt::format("{}: '%' must be followed by '%' or '(' in \"{}\"", key, value));
    }
  }
  return out;
}

}  // namespace alembic_fix
