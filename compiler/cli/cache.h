// The result cache of the fix command, as black and ruff keep one: a file whose bytes, settings
// and (when its compile asked it) migration history are those of an earlier run gets that run's
// result without being scanned or parsed. Only results that leave the file as it is are kept
// (unchanged, not a migration), so a hit never writes. Keyed by content (XXH3-128 of the bytes),
// never by mtime: a same-size edit within the timestamp granularity, a checkout or cp -p would
// otherwise give a stale answer. Correctness never depends on it: a lost, corrupt or foreign
// cache file is an empty cache.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/cli/config.h"
#include "compiler/cli/files.h"
#include "compiler/cli/history_folders.h"
#include "compiler/history.h"
#include "compiler/pipeline.h"

namespace alembic_fix {

struct ContentHash {
  uint64_t low = 0, high = 0;
  bool operator==(const ContentHash&) const = default;
};
ContentHash content_hash(std::string_view bytes);

// Reads and hashes paths[i] for every i whose hash is not known yet, on `threads` threads; a file
// that cannot be read stays nullopt.
void hash_files(const std::vector<std::string>& paths, std::vector<std::optional<ContentHash>>& hashes,
                unsigned threads);

// `path` made absolute from the working folder and lexically normal: the key of a file.
std::string absolute_path(const std::string& path);

// Builds a digest from named parts; each part is length-prefixed so no two lists collide.
class DigestBuilder {
 public:
  DigestBuilder& add(std::string_view part);
  ContentHash finish() const { return content_hash(text_); }

 private:
  std::string text_;
};

// Every configuration file a run read (alembic.ini, pyproject.toml, --maps FILE), through the
// reader it hands to ProjectConfig: they decide the map and the folder targets.
class ConfigReads {
 public:
  ConfigReader recording(ConfigReader inner);
  void add_to(DigestBuilder& digest) const;
  size_t count() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::optional<std::string>>> reads_;  // path, bytes (nullopt: absent)
};

// The content hashes a run has computed, by absolute path: a history's digest reuses the run's
// own files' hashes, and a file the history digest read first is not read again under --check.
class KnownHashes {
 public:
  void put(const std::string& path, const ContentHash& hash);
  std::optional<ContentHash> get(const std::string& path) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, ContentHash> hashes_;
};

// The inputs of one migration history (every *.py of its folders: path and content), digested
// at most once per run, before the history reads anything, so a file edited while the history
// is read gives a digest that the next run's cannot match (a miss, never a stale hit).
class HistoryInputs {
 public:
  // `run_files`: the run's own walk of exactly these folders, when it has one (not walked again);
  // given only when none of them is a symlink.
  // `threads`: how many read the files the run has not hashed yet.
  HistoryInputs(std::vector<HistoryFolders::Location> locations, KnownHashes& known, unsigned threads,
                std::optional<std::vector<std::string>> run_files = std::nullopt)
      : locations_(std::move(locations)), known_(known), threads_(threads), run_files_(std::move(run_files)) {}
  const ContentHash& digest();

 private:
  std::vector<files::Found> files() const;
  std::vector<HistoryFolders::Location> locations_;
  KnownHashes& known_;
  unsigned threads_;
  std::optional<std::vector<std::string>> run_files_;
  std::once_flag once_;
  ContentHash digest_;
};

// Forwards to a job's history and notes whether the compile asked it: only then does the result
// depend on other files.
class RecordingHistory : public MigrationHistory {
 public:
  RecordingHistory(MigrationHistory& inner, HistoryInputs& inputs) : inner_(inner), inputs_(inputs) {}
  const TableHistory& tables_for(const TableRef& table) override;
  const TableHistory& tables() override;
  bool asked() const { return asked_; }

 private:
  MigrationHistory& inner_;
  HistoryInputs& inputs_;
  bool asked_ = false;
};

class ResultCache {
 public:
  struct Entry {
    ContentHash content;
    std::optional<std::string> folder;
    std::optional<ContentHash> history;  // set when the compile asked the history
    FileResult result;
  };

  // The cache file of the working folder `cwd` in `dir`, loaded when its settings digest is
  // `settings`; anything else (absent, truncated, corrupt, another version) is an empty cache.
  ResultCache(std::filesystem::path dir, const std::filesystem::path& cwd, const ContentHash& settings);

  // The stored result for the file at absolute `path` with these bytes and folder answer, if any
  // still holds. `history`: the inputs of the file's history (null: it has none).
  std::optional<FileResult> find(const std::string& path, const ContentHash& content,
                                 const std::optional<std::string>& folder, HistoryInputs* history) const;
  // A result a file's compile gave; kept only if it leaves the file as it is. Thread-safe.
  void add(const std::string& path, const ContentHash& content, const std::optional<std::string>& folder,
           const FileResult& result, const ContentHash* history_digest);
  // Forgets this run's results whose compile asked the history.
  void drop_added_asking_history();
  // Writes the file when this run changed anything. Returns why it could not, or nullopt.
  std::optional<std::string> save();

  const std::filesystem::path& file() const { return file_; }
  bool holds(const std::string& path) const { return entries_.count(path) > 0; }

  static bool keeps(const FileResult& result) {
    return result.status == FileStatus::kUnchanged || result.status == FileStatus::kNotMigration;
  }


 private:
  bool index_loaded();  // entries_ from loaded_; false when the file is not one this run can use

  std::filesystem::path file_;
  ContentHash settings_;
  bool loaded_other_ = false;  // a file was there that this run could not use: rewrite it
  // Entries are kept encoded, as on disk (decoded on a look-up): the file's bytes, path -> body
  // views into them; read-only while files compile.
  std::string loaded_;
  std::unordered_map<std::string_view, std::string_view> entries_;
  std::mutex mu_;
  struct Added {
    std::string body;
    bool asked_history = false;
  };
  std::map<std::string, Added> added_;
};

// What the fix command's run holds of the cache: the results, the hashes computed so far, and
// the inputs of each history its files may ask. Built before the compiler threads start.
class RunCache {
 public:
  // `threads`: how many read files at once (hash_ahead, a history's digest).
  RunCache(std::filesystem::path dir, const std::filesystem::path& cwd, const ContentHash& settings, unsigned threads)
      : threads_(threads), results_(std::move(dir), cwd, settings) {}

  // The history files of `locations` (HistoryFolders::locations_for) feed; before the run starts.
  // `run_files`: see HistoryInputs.
  void add_history(MigrationHistory* history, std::vector<HistoryFolders::Location> locations,
                   std::optional<std::vector<std::string>> run_files = std::nullopt);

  // Under --check and --diff, when the cache holds results for at least half of the run's files
  // (each miss reads its file again): reads and hashes every file on `threads` threads before any
  // is compiled, so a hit reads its file once and a history's digest needs no read of its own. A
  // file that changes after is compiled from what it holds then, as always.
  void hash_ahead(const std::vector<std::string>& paths);
  // The stored result for run file `index` by its hash from hash_ahead(), if one holds.
  std::optional<FileResult> find_ahead(size_t index, const std::optional<std::string>& folder,
                                       MigrationHistory* history);
  // `history` as the files see it (recorded: digested before its first read), or itself when the
  // run knows not its inputs. Owned by this object.
  MigrationHistory* watched(MigrationHistory* history);

  // One file's look-up; when it misses, compile it with history() and hand the result to keep().
  struct Lookup {
    std::string path;  // absolute: the key
    ContentHash content;
    std::optional<std::string> folder;
    HistoryInputs* inputs = nullptr;
    std::unique_ptr<RecordingHistory> recording;
    std::optional<FileResult> hit;
    bool cacheable = false;
    MigrationHistory* history(MigrationHistory* plain) const { return recording ? recording.get() : plain; }
  };
  Lookup look_up(const std::string& path, std::string_view bytes, const std::optional<std::string>& folder,
                 MigrationHistory* history);
  void keep(const Lookup& lookup, const FileResult& result);

  // Results of compiles that asked a history are dropped when `histories_complete` is false: a
  // configuration file was read after the settings digest was made (a history file's folder
  // answer), so the digest does not cover all they depended on.
  std::optional<std::string> save(bool histories_complete);

  size_t hits() const { return hits_; }
  const std::filesystem::path& file() const { return results_.file(); }

 private:
  std::atomic<size_t> hits_ = 0;
  unsigned threads_;
  ResultCache results_;
  KnownHashes known_;
  std::map<MigrationHistory*, std::unique_ptr<HistoryInputs>> inputs_;  // read-only while files compile
  std::vector<std::string> keys_;                  // by run file index: hash_ahead()
  std::vector<std::optional<ContentHash>> ahead_;
  std::vector<std::unique_ptr<RecordingHistory>> watched_;
};

}  // namespace alembic_fix
