// The models of a project: each models path (a module or a `models/` folder), then every module
// of the project it imports, transitively, as Python would on `import`. Files come in through
// ModelFiles (as ninja's DiskInterface), so this has no I/O of its own: the maps command passes
// the disk (compiler/cli/files.h), tests pass files held in memory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compiler/models/map.h"

namespace alembic_fix {

class ModelFiles {
 public:
  virtual ~ModelFiles() = default;

  enum class Kind { kMissing, kFile, kFolder };
  // What `path` is, following symlinks; a fifo or a device counts as a file (reading refuses it).
  virtual Kind kind(const std::filesystem::path& path) = 0;

  struct Read {
    std::optional<std::string> bytes;
    std::string error;  // when there are no bytes: why, said for the user ("cannot open: ...")
  };
  virtual Read read(const std::filesystem::path& path) = 0;

  // Every *.py below `folder` (hidden folders and __pycache__ skipped), in any order.
  virtual std::vector<std::filesystem::path> python_files(const std::filesystem::path& folder) = 0;

  // One name for a file reached by several (symlinks, `..`): a module is read once.
  virtual std::filesystem::path identity(const std::filesystem::path& path) = 0;
};

struct ModelsSource {
  std::string target;
  std::string path;  // a .py module or a folder of them, as the user wrote it
};

struct ModelsRead {
  std::vector<TargetModels> targets;        // in the order first named
  std::vector<LocatedDiagnostic> problems;  // AF304-AF307, each once, ordered by path and position
};

// Relative paths are taken from `base` (the working directory, or a pyproject.toml's folder);
// paths in messages are relative to `cwd`, the working directory.
ModelsRead read_models_tree(const std::vector<ModelsSource>& sources, const std::filesystem::path& base,
                            const std::filesystem::path& cwd, ModelFiles& files);

}  // namespace alembic_fix
