#include "compiler/cli/history_folders.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "compiler/cli/files.h"

namespace fs = std::filesystem;

namespace alembic_fix {

// One set of folders' history. The first question reads every file once, keeping only the names
// each may create (created_names); a question about a table then judges (reads again, scans,
// parses if need be) only the files that name it, once each.
class HistoryFolders::Reader : public MigrationHistory {
 public:
  Reader(HistoryFolders& owner, std::vector<Location> locations) : owner_(owner), locations_(std::move(locations)) {}

  const TableHistory& tables_for(const TableRef& table) override {
    std::call_once(indexed_, [this] { index(); });
    if (all_judged_) return tables_;  // read whole, then never written again
    std::lock_guard lock(owner_.read_mutex_);
    if (!asked_.insert(table.name).second) return tables_;
    if (auto it = by_name_.find(table.name); it != by_name_.end())
      for (size_t i : it->second) judge(i);
    for (size_t i : any_) judge(i);
    return tables_;
  }

  const TableHistory& tables() override {
    std::call_once(indexed_, [this] { index(); });
    if (all_judged_) return tables_;
    std::lock_guard lock(owner_.read_mutex_);
    for (size_t i = 0; i < files_.size(); ++i) judge(i);
    return tables_;
  }

 private:
  struct File {
    files::Found found;
    bool judged = false;
  };

  // Every *.py Alembic would load from the locations, in path order, each once.
  std::vector<files::Found> migration_files() const {
    std::vector<files::Found> out;
    for (const Location& location : locations_) {
      auto walked = owner_.walks_.find(location.folder.string());
      std::vector<files::Found> found =
          walked != owner_.walks_.end() ? walked->second : files::walk_python_files(location.folder);
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

  std::optional<std::string> read(const std::string& path) const {
    try {
      return files::OpenFile(path, files::OpenFile::Lock::kNone).read();
    } catch (const files::IoError&) {
      return std::nullopt;  // a history file that cannot be read tells nothing; it is no file being fixed
    }
  }

  // Reads every file once for the names it may create. A run of many files (owner_.threads_ > 1)
  // will ask about most tables: it then judges every such file at once, on that many threads, so
  // the run's other threads do not wait for one thread reading the whole history.
  void index() {
    std::vector<files::Found> found = migration_files();
    std::vector<CreatedNames> names(found.size());
    each_in_parallel(found.size(), [&](size_t i, PythonParser&) {
      if (auto bytes = read(found[i].path)) names[i] = created_names(*bytes);
    });
    for (size_t f = 0; f < found.size(); ++f) {
      if (names[f].names.empty() && !names[f].any) continue;  // creates nothing
      size_t i = files_.size();
      files_.push_back({std::move(found[f])});
      if (names[f].any) any_.push_back(i);
      for (auto& name : names[f].names) {
        auto& list = by_name_[name];
        if (list.empty() || list.back() != i) list.push_back(i);
      }
    }
    if (owner_.threads_ > 1) judge_all();
  }

  void judge_all() {
    std::vector<HistoryHints> hints;
    {
      std::lock_guard lock(owner_.read_mutex_);
      for (const File& file : files_) hints.push_back(hints_for(file));
    }
    std::vector<HistoryFile> told(files_.size());
    each_in_parallel(files_.size(), [&](size_t i, PythonParser& parser) {
      if (auto bytes = read(files_[i].found.path)) told[i] = read_history_file(*bytes, owner_.maps_, hints[i], parser);
    });
    for (size_t i = 0; i < files_.size(); ++i) add(files_[i], told[i]);
    all_judged_ = true;
  }

  // fn(i, a parser of the calling thread's own) for every i < n, on owner_.threads_ threads.
  void each_in_parallel(size_t n, const std::function<void(size_t, PythonParser&)>& fn) {
    unsigned threads = static_cast<unsigned>(std::min<size_t>(owner_.threads_, n));
    if (threads <= 1) {
      for (size_t i = 0; i < n; ++i) fn(i, parser_);
      return;
    }
    // The asking thread works too: one thread fewer to start, and one heap (malloc arena) fewer.
    std::atomic<size_t> next{0};
    auto work = [&](PythonParser& parser) {
      for (size_t i; (i = next.fetch_add(1)) < n;) fn(i, parser);
    };
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t)
      pool.emplace_back([&] {
        files::block_stop_signals_in_this_thread();
        PythonParser parser;
        work(parser);
      });
    work(parser_);
  }

  HistoryHints hints_for(const File& file) {
    return {owner_.option_, owner_.folders_.of(file.found.path, owner_.cwd_, file.found.link)};
  }

  void add(const File& file, const HistoryFile& told) {
    if (!told.migration) return;
    std::string shown = fs::path(file.found.path).lexically_proximate(owner_.cwd_).string();
    tables_.add(fs::path(file.found.path).is_absolute() && !shown.empty() ? shown : file.found.path, told);
  }

  void judge(size_t i) {
    File& file = files_[i];
    if (file.judged) return;
    file.judged = true;
    auto bytes = read(file.found.path);
    if (!bytes) return;
    add(file, read_history_file(*bytes, owner_.maps_, hints_for(file), parser_));
  }

  HistoryFolders& owner_;
  std::vector<Location> locations_;
  std::once_flag indexed_;
  std::vector<File> files_;  // those that may create a table
  std::map<std::string, std::vector<size_t>> by_name_;
  std::vector<size_t> any_;  // files whose creates are not all literals: judged for every table
  std::set<std::string> asked_;
  bool all_judged_ = false;  // set inside call_once: seen by every thread past it
  PythonParser parser_;
  TableHistory tables_;
};

HistoryFolders::HistoryFolders(const TargetMap& maps, std::optional<std::string> option, TargetFolders& folders,
                               fs::path cwd)
    : maps_(maps), option_(std::move(option)), folders_(folders), cwd_(std::move(cwd)) {}

HistoryFolders::~HistoryFolders() = default;

std::vector<HistoryFolders::Location> HistoryFolders::locations_for(const std::string& path) {
  if (auto configured = folders_.locations_holding(path, cwd_)) {
    std::vector<Location> locations;
    for (auto& folder : configured->folders) locations.push_back({folder, configured->recursive});
    return locations;
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) return {{fs::path(path), true}};
  fs::path folder = fs::path(path).parent_path();
  return {{folder.empty() ? fs::path(".") : folder, false}};
}

MigrationHistory* HistoryFolders::for_path(const std::string& path) {
  if (path == "-") return nullptr;
  return for_locations(locations_for(path));
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
