#include "compiler/cli/config.h"

#include <fmt/format.h>

#include "compiler/cli/ini.h"
#include "compiler/cli/maps.h"

namespace fs = std::filesystem;

namespace alembic_fix {

namespace {

// `value % {"here": ...}` as Alembic formats [tool.alembic] strings: %(here)s and %% only.
std::string toml_interpolate(std::string_view value, const std::string& here, std::string_view what) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') out += value[i];
    else if (value.substr(i, 2) == "%%") out += '%', ++i;
    else if (value.substr(i, 8) == "%(here)s") out += here, i += 7;
    else throw ConfigError(fmt::format("{}: \"{}\": only %(here)s and %% can follow a %", what, value));
  }
  return out;
}

// The configuration of one folder, read the way Alembic's Config reads it: an option of the
// ini's [alembic] section (or its [DEFAULT]) first, else the one of [tool.alembic].
class AlembicOptions {
 public:
  AlembicOptions(const IniFile* ini, const toml::table* toml, const fs::path& ini_path, const fs::path& toml_path,
                 std::string here)
      : ini_(ini), toml_(toml), ini_path_(ini_path.string()), toml_path_(toml_path.string()), here_(std::move(here)) {}

  std::optional<std::string> string(std::string_view name) const {
    if (auto value = from_ini(name)) return value;
    if (!toml_ || !toml_->contains(name)) return std::nullopt;
    auto value = (*toml_)[name].value<std::string>();
    if (!value) throw ConfigError(fmt::format("{}: [tool.alembic] {} must be a string", toml_path_, name));
    return toml_interpolate(*value, here_, fmt::format("{}: [tool.alembic] {}", toml_path_, name));
  }

  // config.get_alembic_boolean_option: the ini's exact "true", else a TOML boolean.
  bool boolean(std::string_view name) const {
    if (auto value = from_ini(name)) return *value == "true";
    if (!toml_ || !toml_->contains(name)) return false;
    auto value = (*toml_)[name].value<bool>();
    if (!value) throw ConfigError(fmt::format("{}: [tool.alembic] {} must be true or false", toml_path_, name));
    return *value;
  }

  // config.get_version_locations_list: the ini's string split on its path_separator, else the
  // TOML list. nullopt when neither says.
  std::optional<std::vector<std::string>> version_locations() const {
    if (auto value = from_ini("version_locations"); value && !value->empty()) return split_locations(*value);
    if (!toml_ || !toml_->contains("version_locations")) return std::nullopt;
    const toml::array* list = (*toml_)["version_locations"].as_array();
    if (!list || !list->is_homogeneous(toml::node_type::string))
      throw ConfigError(fmt::format("{}: [tool.alembic] version_locations must be a list of paths", toml_path_));
    std::vector<std::string> out;
    for (const auto& entry : *list)
      out.push_back(toml_interpolate(*entry.value<std::string>(), here_,
                                     fmt::format("{}: [tool.alembic] version_locations", toml_path_)));
    return out;
  }

 private:
  std::optional<std::string> from_ini(std::string_view name) const {
    if (!ini_) return std::nullopt;
    try {
      return ini_->get("alembic", name);
    } catch (const IniError& e) {
      throw ConfigError(fmt::format("{}: [alembic] {}", ini_path_, e.what()));
    }
  }

  // path_separator (or the older version_path_separator) as Alembic 1.19 splits on it; without
  // either, the legacy split on spaces and commas.
  std::vector<std::string> split_locations(const std::string& value) const {
    std::optional<std::string> name = "path_separator", separator = from_ini(*name);
    if (!separator) separator = from_ini(*(name = "version_path_separator"));
    std::vector<std::string> out;
    if (!separator) {  // re.split(r", *|(?: +)", value)
      for (size_t start = 0;;) {
        size_t at = value.find_first_of(", ", start);
        out.push_back(value.substr(start, at - start));
        if (at == std::string::npos) break;
        start = value.find_first_not_of(' ', at + 1);
        if (start == std::string::npos) start = value.size();
      }
      std::erase(out, "");  // an empty one would name the working directory
      return out;
    }
    static const std::map<std::string, char, std::less<>> kSeparators{
        {"space", ' '}, {"newline", '\n'}, {"os", ':'}, {":", ':'}, {";", ';'}};  // os.pathsep is ':' here
    auto it = kSeparators.find(*separator);
    if (it == kSeparators.end())
      throw ConfigError(fmt::format("{}: [alembic] '{}' is not a valid value for {}; expected 'space', 'newline', "
                                    "'os', ':', ';'",
                                    ini_path_, *separator, *name));
    for (size_t start = 0; start <= value.size();) {
      size_t at = std::min(value.find(it->second, start), value.size());
      std::string part(value.substr(start, at - start));
      part.erase(0, part.find_first_not_of(" \t\n\r"));
      part.erase(part.find_last_not_of(" \t\n\r") + 1);
      if (!part.empty()) out.push_back(std::move(part));
      start = at + 1;
    }
    return out;
  }

  const IniFile* ini_;
  const toml::table* toml_;
  std::string ini_path_, toml_path_, here_;
};

// A location as Alembic takes it, relative ones from the configuration's folder (Alembic takes
// them from the working directory, which is that folder when it finds its alembic.ini).
fs::path located(const std::string& location, const fs::path& root, const std::string& origin) {
  fs::path path(location);
  if (!path.is_absolute() && location.find(':') != std::string::npos)
    throw ConfigError(fmt::format("{}: \"{}\" names a package resource (package:path), which alembic-fix cannot "
                                  "resolve without importing the package; give the versions folder as PATH",
                                  origin, location));
  return (root / path).lexically_normal();
}

// script_location, version_locations (default: <script_location>/versions, as Alembic) and
// recursive_version_locations into `config`.
void read_locations(const AlembicOptions& options, AlembicConfig& config) {
  const std::string where = config.file.string();
  auto script_location = options.string("script_location");
  if (!script_location)
    throw ConfigError(fmt::format("{}: no script_location (in [alembic] of alembic.ini, or [tool.alembic] of "
                                  "pyproject.toml), so it does not say where the migrations are",
                                  where));
  config.script_location = located(*script_location, config.root, where);
  for (const auto& location : options.version_locations().value_or(std::vector<std::string>{}))
    config.version_locations.push_back(located(location, config.root, where));
  if (config.version_locations.empty()) config.version_locations.push_back(config.script_location / "versions");
  config.recursive = options.boolean("recursive_version_locations");
}

}  // namespace

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

const toml::table* ProjectConfig::tool_alembic(const fs::path& dir) {
  const Pyproject* pyproject = pyproject_in(dir);
  if (!pyproject) return nullptr;
  auto section = pyproject->doc.at_path("tool.alembic");
  if (section && !section.is_table())
    throw ConfigError(fmt::format("{}: tool.alembic must be a table", pyproject->path.string()));
  return section.as_table();
}

AlembicConfig ProjectConfig::find_alembic(const std::optional<std::string>& config_file) {
  if (!config_file) {
    for (fs::path dir = cwd_; !dir.empty(); dir = dir.parent_path()) {
      if (auto found = alembic_in(dir)) return *found;
      if (dir == dir.root_path()) break;
    }
    throw ConfigError(fmt::format("no PATH given, and no Alembic configuration found: looked for alembic.ini, and "
                                  "for pyproject.toml with [tool.alembic], in {} and every folder above it",
                                  cwd_.string()));
  }
  AlembicConfig config;
  config.file = (cwd_ / *config_file).lexically_normal();
  config.root = config.file.parent_path();
  bool named_toml = config.file.filename() == "pyproject.toml";  // as Alembic's -c takes it
  fs::path ini_path = named_toml ? config.root / "alembic.ini" : config.file;
  if (named_toml && !pyproject_in(config.root))
    throw ConfigError(fmt::format("{}: no such file", config.file.string()));
  std::optional<std::string> ini_text = named_toml ? reader_.read_if_present(ini_path) : reader_.read(ini_path);
  const toml::table* toml = tool_alembic(config.root);
  if (named_toml && !toml) throw ConfigError(fmt::format("{}: no [tool.alembic] table", config.file.string()));
  return read_alembic(std::move(config), ini_path, ini_text, toml);
}

std::optional<AlembicConfig> ProjectConfig::alembic_in(const fs::path& dir) {
  fs::path ini_path = dir / "alembic.ini";
  std::optional<std::string> ini_text = reader_.read_if_present(ini_path);
  const toml::table* toml = tool_alembic(dir);
  if (!ini_text && !toml) return std::nullopt;
  AlembicConfig config;
  config.root = dir;
  config.file = ini_text ? ini_path : dir / "pyproject.toml";
  return read_alembic(std::move(config), ini_path, ini_text, toml);
}

AlembicConfig ProjectConfig::read_alembic(AlembicConfig config, const fs::path& ini_path,
                                          const std::optional<std::string>& ini_text, const toml::table* toml) {
  std::optional<IniFile> ini;
  try {
    if (ini_text) ini = IniFile::parse(*ini_text, {{"here", config.root.string()}});
  } catch (const IniError& e) {
    throw ConfigError(fmt::format("{}: {}", ini_path.string(), e.what()));
  }
  AlembicOptions options(ini ? &*ini : nullptr, toml, ini_path, config.root / "pyproject.toml", config.root.string());
  read_locations(options, config);
  return config;
}

}  // namespace alembic_fix
