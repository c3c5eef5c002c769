// The migration history (compiler/history.h) of the versions folders a run's files sit in, read
// from the disk (compiler/cli/files.h) on first ask, so a run whose drops the map decides reads
// none of it. The folders are found as Alembic finds them: the version locations of the Alembic
// configuration beside the project root (alembic.ini, [tool.alembic]) when one holds the PATH,
// else the folder given, else a file's own folder.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/cli/files.h"
#include "compiler/cli/target_folder.h"
#include "compiler/history.h"
#include "compiler/target_map.h"

namespace alembic_fix {

class HistoryFolders {
 public:
  struct Location {
    std::filesystem::path folder;
    bool recursive = true;  // its subfolders too (a folder argument; recursive_version_locations)
  };

  // `option`: --target / $MIGRATION_TARGET, for history files no rule of their own decides.
  // `folders` gives each history file its folder rule's answer; it is used under a lock of this
  // object's alone, so nothing else may use it while a history is read (the fix command's
  // threads never do: they only compile).
  HistoryFolders(const TargetMap& maps, std::optional<std::string> option, TargetFolders& folders,
                 std::filesystem::path cwd);
  ~HistoryFolders();

  // A run of many files asks about most tables of the history: read it whole on first ask, on
  // `threads` threads (1, the default: read lazily, only the files that may answer the question,
  // as a post-write hook's one file wants).
  void read_whole_on(unsigned threads) { threads_ = threads; }

  // The files of a folder the run walked already (files::walk_python_files): a history of that
  // folder takes them instead of walking it again. Before any history is read.
  void walked(const std::string& folder, const std::vector<files::Found>& found) { walks_[folder] = found; }

  // The history for a PATH argument (a file, a folder; "-" has none: nullptr).
  MigrationHistory* for_path(const std::string& path);
  // The folders for_path(path) reads (the result cache digests their files).
  std::vector<Location> locations_for(const std::string& path);
  // The history of the given folders (a run without PATH: the configuration's locations).
  MigrationHistory* for_locations(std::vector<Location> locations);

 private:
  class Reader;
  const TargetMap& maps_;
  std::optional<std::string> option_;
  TargetFolders& folders_;
  std::filesystem::path cwd_;
  unsigned threads_ = 1;
  std::map<std::string, std::vector<files::Found>> walks_;
  std::mutex read_mutex_;  // TargetFolders' caches: one history read at a time
  std::map<std::vector<std::pair<std::string, bool>>, std::unique_ptr<Reader>> histories_;
};

}  // namespace alembic_fix
