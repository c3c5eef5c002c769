#include "compiler/target_map.h"

#include <fnmatch.h>

#include <algorithm>
#include <fmt/format.h>
#include <toml++/toml.h>

namespace alembic_fix {

TargetMap TargetMap::parse(std::string_view text, std::string_view origin, std::string_view table_path) {
  TargetMap map;
  map.origin_ = std::string(origin);
  toml::table doc;
  try {
    doc = toml::parse(text, std::string(origin));
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw MapError(fmt::format("{}:{}:{}: invalid TOML: {}", origin, where.line, where.column, e.description()));
  }
  toml::node_view<toml::node> root{doc};
  if (!table_path.empty()) root = doc.at_path(table_path);
  const toml::table* targets = root["targets"].as_table();
  if (!targets || targets->empty())
    throw MapError(fmt::format("{}: no [targets.<name>] tables with `tables = [...]`", origin));
  for (const auto& [name, value] : *targets) {
    Target target;
    target.name = std::string(name.str());
    const toml::array* tables = value.is_table() ? value.as_table()->get_as<toml::array>("tables") : nullptr;
    if (!tables)
      throw MapError(fmt::format("{}: [targets.{}] needs `tables = [\"...\"]`", origin, target.name));
    for (const auto& entry : *tables) {
      auto pattern = entry.value<std::string>();
      if (!pattern)
        throw MapError(fmt::format("{}: [targets.{}] tables must be strings", origin, target.name));
      target.patterns.push_back(std::move(*pattern));
      const auto& where = entry.source().begin;
      target.positions.push_back({static_cast<uint32_t>(where.line), static_cast<uint32_t>(where.column)});
    }
    map.targets_.push_back(std::move(target));
  }
  std::sort(map.targets_.begin(), map.targets_.end(),
            [](const Target& a, const Target& b) { return a.name < b.name; });
  return map;
}

TargetMap TargetMap::builtin() { return parse(kDefaultMapToml, kDefaultMapName); }

bool TargetMap::has_target(std::string_view name) const {
  return std::any_of(targets_.begin(), targets_.end(), [&](const Target& t) { return t.name == name; });
}

std::string TargetMap::target_names() const {
  std::string out;
  for (const auto& t : targets_) out += (out.empty() ? "" : ", ") + t.name;
  return out;
}

// Bare patterns match any schema, so the common case needs no schema in the map.
bool pattern_matches(const std::string& pattern, const TableRef& table) {
  const std::string subject = pattern.find('.') != std::string::npos ? table.qualified() : table.name;
  return fnmatch(pattern.c_str(), subject.c_str(), 0) == 0;
}

bool TargetMap::matches(const Target& t, const TableRef& table) const {
  return std::any_of(t.patterns.begin(), t.patterns.end(),
                     [&](const std::string& pattern) { return pattern_matches(pattern, table); });
}

Ownership TargetMap::classify(const TableRef& table, std::string_view target) const {
  bool listed = false;
  for (const auto& t : targets_) {
    if (!matches(t, table)) continue;
    if (t.name == target) return Ownership::kOwn;
    listed = true;
  }
  return listed ? Ownership::kForeign : Ownership::kUnknown;
}

std::vector<std::string_view> TargetMap::owners(const TableRef& table) const {
  std::vector<std::string_view> out;
  for (const auto& t : targets_)
    if (matches(t, table)) out.push_back(t.name);
  return out;
}

}  // namespace alembic_fix
