// Rule 4 of the target rules: a folder named after a target decides a file's target. Looked for
// from the file's real folder (links resolved) up to a root fixed by the project, never by how the
// file was named on the command line, so a file argument, a folder argument, a relative or an
// absolute path and a symlink all give one answer (issue 10 item 5).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/cli/config.h"
#include "compiler/target_map.h"

namespace alembic_fix {

class TargetFolders {
 public:
  // `locations`: the version locations the run was given by the Alembic configuration (none when
  // PATHs were given); `project` reads the configuration found beside a root marker.
  TargetFolders(const TargetMap& maps, ProjectConfig& project, const std::vector<std::filesystem::path>& locations);

  // The folder answer for `path` (as given, from `cwd`; it need not exist, as for
  // --stdin-filename). Where the search stops:
  // - inside a version location of the Alembic configuration: at that location, which counts
  //   (`versions/hq/` as a location of its own decides hq);
  // - else at the nearest folder above the file holding alembic.ini, pyproject.toml or .git (the
  //   project's root), which does not count: the project's own name is no target;
  // - with no such folder: only the file's own folder counts.
  // `link`: the name may be a symlink (or is not known to be a plain file), so the file's own
  // real path is taken, not only its folder's.
  std::optional<std::string> of(const std::string& path, const std::filesystem::path& cwd, bool link);

  // The version locations of the Alembic configuration beside the project root above `path` (a
  // file or a folder, from `cwd`) when one of them holds it: the migration history's folders
  // (compiler/cli/history_folders.h). nullopt when no configuration's location holds it.
  struct Locations {
    std::vector<std::filesystem::path> folders;  // real paths
    bool recursive = false;                      // Alembic loads their subfolders too
  };
  std::optional<Locations> locations_holding(const std::string& path, const std::filesystem::path& cwd);

 private:
  struct Bound {
    std::filesystem::path stop;  // empty: only the file's own folder
    bool stop_counts = false;    // a version location counts, a project root does not
  };
  Bound bound_for(const std::filesystem::path& real_dir);
  std::optional<std::filesystem::path> root_above(const std::filesystem::path& real_dir);
  const Locations& locations_of_root(const std::filesystem::path& root);
  std::optional<std::string> search(const std::filesystem::path& real_dir);

  const TargetMap& maps_;
  ProjectConfig& project_;
  std::vector<std::filesystem::path> run_locations_;  // real paths
  // Caches: a folder is looked at once per run however many files it holds.
  std::map<std::filesystem::path, std::filesystem::path> real_dirs_;      // folder as named -> real
  std::map<std::filesystem::path, std::optional<std::string>> answers_;  // real folder -> answer
  std::map<std::filesystem::path, bool> is_root_;                        // folder -> holds a marker
  std::map<std::filesystem::path, Locations> root_locations_;
  std::unordered_map<std::string, std::optional<std::string>> by_named_dir_;  // cwd \0 folder as named -> answer
};

}  // namespace alembic_fix
