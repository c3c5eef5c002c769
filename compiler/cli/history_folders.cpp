#include "compiler/cli/history_folders.h"

#include <algorithm>
#include <set>

#include "compiler/cli/files.h"

namespace fs = std::filesystem;

namespace alembic_fix {

// One set of folders' history, read once, by the first file that asks.
class HistoryFolders::Reader : public MigrationHistory {
 public:
  Reader(HistoryFolders& owner, std::vector<Location> locations) : owner_(owner), locations_(std::move(locations)) {}

  const TableHistory& tables() override {
    std::call_once(once_, [this] {
      std::lock_guard lock(owner_.read_mutex_);
      read();
    });
    return tables_;
  }

 private:
  // Every *.py Alembic would load from the locations, in path order, each once.
  std::vector<files::Found> migration_files() const {
    std::vector<files::Found> out;
    for (const Location& location : locations_) {
      std::vector<files::Found> found = files::walk_python_files(location.folder);
      if (!location.recursive)
        std::erase_if(found, [&](const files::Found& f) { return fs::path(f.path).parent_path() != location.folder; });
      for (auto& f : found)
        if (!f.dangling) out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path == b.path; }),
              out.end());
    return out;
  }

  void read() {
    PythonParser parser;
    for (const files::Found& f : migration_files()) {
      std::string bytes;
      try {
        bytes = files::OpenFile(f.path, files::OpenFile::Lock::kNone).read();
      } catch (const files::IoError&) {
        continue;  // a history file that cannot be read tells nothing; it is no file being fixed
      }
      HistoryHints hints{owner_.option_, owner_.folders_.of(f.path, owner_.cwd_, f.link)};
      HistoryFile file = read_history_file(bytes, owner_.maps_, hints, parser);
      if (!file.migration) continue;
      std::string shown = fs::path(f.path).lexically_proximate(owner_.cwd_).string();
      tables_.add(fs::path(f.path).is_absolute() && !shown.empty() ? shown : f.path, file);
    }
  }

  HistoryFolders& owner_;
  std::vector<Location> locations_;
  std::once_flag once_;
  TableHistory tables_;
};

HistoryFolders::HistoryFolders(const TargetMap& maps, std::optional<std::string> option, TargetFolders& folders,
                               fs::path cwd)
    : maps_(maps), option_(std::move(option)), folders_(folders), cwd_(std::move(cwd)) {}

HistoryFolders::~HistoryFolders() = default;

MigrationHistory* HistoryFolders::for_path(const std::string& path) {
  if (path == "-") return nullptr;
  if (auto configured = folders_.locations_holding(path, cwd_)) {
    std::vector<Location> locations;
    for (auto& folder : configured->folders) locations.push_back({folder, configured->recursive});
    return for_locations(std::move(locations));
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) return for_locations({{fs::path(path), true}});
  fs::path folder = fs::path(path).parent_path();
  return for_locations({{folder.empty() ? fs::path(".") : folder, false}});
}

MigrationHistory* HistoryFolders::for_locations(std::vector<Location> locations) {
  std::vector<std::pair<std::string, bool>> key;
  for (const auto& l : locations) key.emplace_back(l.folder.string(), l.recursive);
  std::sort(key.begin(), key.end());
  auto& reader = histories_[key];
  if (!reader) reader = std::make_unique<Reader>(*this, std::move(locations));
  return reader.get();
}

}  // namespace alembic_fix
