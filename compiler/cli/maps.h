// The `alembic-fix maps` command, and the map `[tool.alembic-fix.models]` makes: the models of
// the project (compiler/models/project.h) read from the disk through compiler/cli/files.h.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "compiler/models/map.h"
#include "compiler/models/project.h"
#include "compiler/target_map.h"

namespace alembic_fix {

// The map for `[tool.alembic-fix.models]` in `pyproject`: `section` is its [tool.alembic-fix].
// Throws MapError naming every problem in the models.
TargetMap map_from_pyproject_models(const std::filesystem::path& pyproject, const toml::table& section);

struct MapsOptions {
  std::vector<ModelsSource> models;      // in command-line order
  std::optional<std::string> output;     // -o FILE; stdout when absent
  bool check = false;                    // compare with maps_file instead of writing
  std::optional<std::string> maps_file;  // --maps FILE
  // --history PATH: the map the migration history of PATH's versions folder implies, in place of
  // models; the targets are those of --maps FILE (else the project's map, as the fixer finds it).
  std::optional<std::string> history;
  std::optional<std::string> target;  // --target: for history files no rule of their own decides
  OutputFormat format = OutputFormat::kText;
};

// Exit status: 0 map written or in sync, 1 drift found (--check), 2 any error.
int run_maps(const MapsOptions& options);

}  // namespace alembic_fix
