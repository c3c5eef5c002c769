// The models on disk: each models path (a module or a `models/` folder), then every module of the
// project it imports, transitively, as Python would on `import`. Also the `alembic-fix maps`
// command built on them. With fix.cpp, the only code that touches files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "compiler/models/map.h"
#include "compiler/target_map.h"

namespace alembic_fix {

struct ModelsSource {
  std::string target;
  std::string path;  // a .py module or a folder of them, as the user wrote it
};

struct ModelsRead {
  std::vector<TargetModels> targets;        // in the order first named
  std::vector<LocatedDiagnostic> problems;  // AF304-AF307, each once, ordered by path and position
};

// Relative paths are taken from `base` (the working directory, or a pyproject.toml's folder);
// paths in messages are relative to the working directory.
ModelsRead read_models_tree(const std::vector<ModelsSource>& sources, const std::filesystem::path& base);

// The map for `[tool.alembic-fix.models]` in `pyproject`: `section` is its [tool.alembic-fix].
// Throws MapError naming every problem in the models.
TargetMap map_from_pyproject_models(const std::filesystem::path& pyproject, const toml::table& section);

struct MapsOptions {
  std::vector<ModelsSource> models;      // in command-line order
  std::optional<std::string> output;     // -o FILE; stdout when absent
  bool check = false;                    // compare with maps_file instead of writing
  std::optional<std::string> maps_file;  // --maps FILE
  OutputFormat format = OutputFormat::kText;
};

// Exit status: 0 map written or in sync, 1 drift found (--check), 2 any error.
int run_maps(const MapsOptions& options);

}  // namespace alembic_fix
