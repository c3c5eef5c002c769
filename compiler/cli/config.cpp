#include "compiler/cli/config.h"

#include <fmt/format.h>

#include "compiler/cli/maps.h"

namespace fs = std::filesystem;

namespace alembic_fix {

ProjectConfig::ProjectConfig(fs::path cwd, ConfigReader reader) : cwd_(std::move(cwd)), reader_(std::move(reader)) {}

const ProjectConfig::Pyproject* ProjectConfig::pyproject_in(const fs::path& dir) {
  auto [it, inserted] = pyprojects_.try_emplace(dir);
  if (!inserted) return it->second.get();
  fs::path path = dir / "pyproject.toml";
  std::optional<std::string> text = reader_.read_if_present(path);
  if (!text) return nullptr;
  auto parsed = std::make_unique<Pyproject>();
  parsed->path = path;
  try {
    parsed->doc = toml::parse(*text, path.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}: invalid TOML: {}", path.string(), e.description()));
  }
  it->second = std::move(parsed);
  return it->second.get();
}

TargetMap ProjectConfig::load_maps(const std::optional<std::string>& maps_file) {
  if (maps_file) return TargetMap::parse(reader_.read(*maps_file), *maps_file);
  for (fs::path dir = cwd_; !dir.empty(); dir = dir.parent_path()) {
    if (const Pyproject* pyproject = pyproject_in(dir)) {
      if (auto section = pyproject->doc.at_path("tool.alembic-fix"); section.is_table()) {
        if (section["models"].is_table()) return map_from_pyproject_models(pyproject->path, *section.as_table());
        if (auto maps = section["maps"].value<std::string>()) {
          fs::path path = dir / *maps;
          return TargetMap::parse(reader_.read(path), path.string());
        }
        return TargetMap::from_toml(pyproject->doc, pyproject->path.string(), "tool.alembic-fix");
      }
    }
    if (dir == dir.root_path()) break;
  }
  return TargetMap::builtin();
}

}  // namespace alembic_fix
