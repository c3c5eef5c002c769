// What a run takes from the project around it: the target map (--maps, else [tool.alembic-fix]
// in the nearest pyproject.toml, else the built-in map) and, when no PATH is given, where Alembic
// keeps the migrations (alembic.ini, or [tool.alembic] in pyproject.toml). Every configuration
// file is read and parsed at most once per run, through the reader the command hands over, so a
// configuration file is refused the way a migration is (a fifo, a device, a huge file).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "compiler/target_map.h"

namespace alembic_fix {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How configuration files are read. Both throw ConfigError ("path: why") when a file is there
// but cannot be read.
struct ConfigReader {
  std::function<std::string(const std::filesystem::path&)> read;  // a file the user named
  // A file that may be absent: nullopt when no regular file is there.
  std::function<std::optional<std::string>(const std::filesystem::path&)> read_if_present;
};

// Where an Alembic project keeps its migrations, as Alembic reads its configuration. Paths are
// absolute and lexically normal.
struct AlembicConfig {
  std::filesystem::path root;             // the folder holding the configuration file
  std::filesystem::path file;             // alembic.ini, or the pyproject.toml of [tool.alembic]
  std::filesystem::path script_location;  // relative ones are taken from `root`
  std::vector<std::filesystem::path> version_locations;  // in the configuration's order
  bool recursive = false;  // recursive_version_locations: subfolders are loaded too
};

class ProjectConfig {
 public:
  // `cwd` is absolute: configuration is looked for there and in every folder above it.
  ProjectConfig(std::filesystem::path cwd, ConfigReader reader);

  // --maps FILE, else the nearest pyproject.toml above the working directory that has a
  // [tool.alembic-fix] table (as ruff and black find their settings), else the built-in map.
  // Throws MapError or ConfigError.
  TargetMap load_maps(const std::optional<std::string>& maps_file);

  // `config_file` is -c/--config (alembic.ini, or a pyproject.toml, as Alembic's own option);
  // without it, the nearest folder at or above the working directory holding an alembic.ini or
  // a pyproject.toml with [tool.alembic]. Options are read as Alembic 1.19 reads them: [alembic]
  // of the ini first, then [tool.alembic]. Throws ConfigError saying what was looked for.
  AlembicConfig find_alembic(const std::optional<std::string>& config_file);
  // The configuration held in `dir` itself (its alembic.ini and/or [tool.alembic] of its
  // pyproject.toml), read as above; nullopt when it holds neither. Throws ConfigError.
  std::optional<AlembicConfig> alembic_in(const std::filesystem::path& dir);

 private:
  // `config` (root and file set) completed from the ini's text and the [tool.alembic] table.
  AlembicConfig read_alembic(AlembicConfig config, const std::filesystem::path& ini_path,
                             const std::optional<std::string>& ini_text, const toml::table* toml);
  struct Pyproject {
    std::filesystem::path path;
    toml::table doc;
  };
  // The pyproject.toml in `dir`, parsed on first use; nullptr when there is none.
  const Pyproject* pyproject_in(const std::filesystem::path& dir);
  const toml::table* tool_alembic(const std::filesystem::path& dir);  // [tool.alembic], if any

  std::filesystem::path cwd_;
  ConfigReader reader_;
  std::map<std::filesystem::path, std::unique_ptr<Pyproject>> pyprojects_;  // null: none there
};

}  // namespace alembic_fix
