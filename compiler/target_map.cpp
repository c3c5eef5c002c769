#include "compiler/target_map.h"

#include <fnmatch.h>

#include <algorithm>
#include <fmt/format.h>
#include <toml++/toml.h>

namespace alembic_fix {

TargetMap TargetMap::parse(std::string_view text, std::string_view origin, std::string_view table_path) {
  toml::table doc;
  try {
    doc = toml::parse(text, std::string(origin));
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw MapError(fmt::format("{}:{}:{}: invalid TOML: {}", origin, where.line, where.column, e.description()));
  }
  return from_toml(doc, origin, table_path);
}

// A version table is one exact name (`schema.name` when Alembic's version_table_schema is set),
// not a pattern: what it says is owned must be exactly the table the chain writes.
static std::string read_version_table(const toml::table& target, std::string_view origin, const std::string& name) {
  const toml::node* node = target.get("version_table");
  if (!node) return "alembic_version_" + name;
  auto value = node->value<std::string>();
  if (!value || value->empty() || value->find_first_of("*?[\\") != std::string::npos)
    throw MapError(fmt::format("{}: [targets.{}] version_table must be one table name, not a pattern", origin, name));
  return *value;
}

TargetMap TargetMap::from_toml(const toml::table& doc, std::string_view origin, std::string_view table_path) {
  TargetMap map;
  map.origin_ = std::string(origin);
  toml::node_view<const toml::node> root{doc};
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
    target.version_table = read_version_table(*value.as_table(), origin, target.name);
    map.targets_.push_back(std::move(target));
  }
  std::sort(map.targets_.begin(), map.targets_.end(),
            [](const Target& a, const Target& b) { return a.name < b.name; });
  if (map.targets_.size() > 64) throw MapError(fmt::format("{}: more than 64 targets", origin));
  map.build_index();
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

void TargetMap::build_index() {
  for (size_t i = 0; i < targets_.size(); ++i) {
    uint64_t bit = uint64_t{1} << i;
    const std::string& version = targets_[i].version_table;
    (version.find('.') != std::string::npos ? exact_qualified_ : exact_bare_)[version] |= bit;
    for (const auto& pattern : targets_[i].patterns) {
      bool qualified = pattern.find('.') != std::string::npos;
      size_t wild = pattern.find_first_of("*?[\\");
      if (wild == std::string::npos) (qualified ? exact_qualified_ : exact_bare_)[pattern] |= bit;
      else globs_.push_back({pattern, pattern.substr(0, wild), qualified, bit});
    }
  }
}

// A pattern with a dot names "schema.table"; one without matches the bare table name in any
// schema, so the common case needs no schema in the map.
bool pattern_matches(const std::string& pattern, const TableRef& table) {
  const std::string subject = pattern.find('.') != std::string::npos ? table.qualified() : table.name;
  return fnmatch(pattern.c_str(), subject.c_str(), 0) == 0;
}

// The same rule, indexed: exact names hashed, globs tried only when their literal prefix fits.
uint64_t TargetMap::owner_mask(const TableRef& table) const {
  std::string qualified = table.qualified();
  uint64_t mask = 0;
  if (auto it = exact_bare_.find(table.name); it != exact_bare_.end()) mask |= it->second;
  if (!exact_qualified_.empty())
    if (auto it = exact_qualified_.find(qualified); it != exact_qualified_.end()) mask |= it->second;
  for (const auto& g : globs_) {
    if (mask & g.bit) continue;
    const std::string& subject = g.qualified ? qualified : table.name;
    if (subject.starts_with(g.prefix) && fnmatch(g.pattern.c_str(), subject.c_str(), 0) == 0) mask |= g.bit;
  }
  return mask;
}

int TargetMap::target_index(std::string_view name) const {
  for (size_t i = 0; i < targets_.size(); ++i)
    if (targets_[i].name == name) return static_cast<int>(i);
  return -1;
}

Ownership TargetMap::classify(const TableRef& table, std::string_view target) const {
  uint64_t mask = owner_mask(table);
  if (!mask) return Ownership::kUnknown;
  int i = target_index(target);
  return i >= 0 && (mask >> i & 1) ? Ownership::kOwn : Ownership::kForeign;
}

bool TargetMap::is_version_table(const TableRef& table) const {
  return std::any_of(targets_.begin(), targets_.end(), [&](const Target& t) {
    return t.version_table == (t.version_table.find('.') != std::string::npos ? table.qualified() : table.name);
  });
}

std::vector<std::string_view> TargetMap::owners(const TableRef& table) const {
  std::vector<std::string_view> out;
  uint64_t mask = owner_mask(table);
  for (size_t i = 0; i < targets_.size(); ++i)
    if (mask >> i & 1) out.push_back(targets_[i].name);
  return out;
}

}  // namespace alembic_fix
