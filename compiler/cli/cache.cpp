#include "compiler/cli/cache.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <thread>

#include <fmt/format.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "compiler/cli/files.h"
#include "passes/pass.h"

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

// Bump when the layout below or the meaning of an entry changes.
constexpr uint32_t kFormatVersion = 1;
constexpr std::string_view kMagic = "alembic-fix result cache\n";
// Caps, so a cache file stays readable (under files::kMaxFileSize; an entry is about 275 bytes on
// real migrations, more with many diagnostics) however many files pass through one working folder.
constexpr size_t kMaxEntries = 40000;
constexpr size_t kMaxBytes = files::kMaxFileSize / 2;

class Writer {
 public:
  void u8(uint8_t v) { bytes_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { bytes_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void hash(const ContentHash& h) {
    bytes_.append(reinterpret_cast<const char*>(&h.low), 8);
    bytes_.append(reinterpret_cast<const char*>(&h.high), 8);
  }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    bytes_.append(s);
  }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

// Reads what Writer wrote; every read past the end sets failed() and yields zeros.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool failed() const { return failed_; }
  bool at_end() const { return rest_.empty(); }
  uint8_t u8() { return take(1).empty() ? 0 : static_cast<uint8_t>(last_[0]); }
  uint32_t u32() {
    uint32_t v = 0;
    if (!take(4).empty()) std::memcpy(&v, last_.data(), 4);
    return v;
  }
  ContentHash hash() {
    ContentHash h;
    if (!take(16).empty()) {
      std::memcpy(&h.low, last_.data(), 8);
      std::memcpy(&h.high, last_.data() + 8, 8);
    }
    return h;
  }
  std::string str() { return std::string(take(u32())); }
  std::string_view view() { return take(u32()); }
  // Where the next read starts: for cutting an entry out of the bytes whole.
  const char* position() const { return rest_.data(); }

 private:
  std::string_view take(size_t n) {
    if (failed_ || n > rest_.size()) {
      failed_ = true;
      return last_ = {};
    }
    last_ = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return last_;
  }
  std::string_view rest_, last_;
  bool failed_ = false;
};

std::optional<Code> code_by_id(std::string_view id) {
  for (const Code& code : all_codes())
    if (code.id == id) return code;
  return std::nullopt;
}

// An entry on disk: its path (write_entry), then its body (write_body).
void write_body(Writer& w, const ResultCache::Entry& e) {
  w.hash(e.content);
  w.u8(e.folder ? 1 : 0);
  w.str(e.folder.value_or(""));
  w.u8(e.history ? 1 : 0);
  w.hash(e.history.value_or(ContentHash{}));
  const FileResult& r = e.result;
  w.u8(static_cast<uint8_t>(r.status));
  w.str(r.target);
  w.u8(static_cast<uint8_t>(r.target_rule));
  w.str(r.target_evidence);
  w.u8(r.prefiltered ? 1 : 0);
  w.u32(static_cast<uint32_t>(r.diagnostics.size()));
  for (const Diagnostic& d : r.diagnostics) {
    w.str(d.code.id);
    w.u32(d.position.line);
    w.u32(d.position.column);
    w.str(d.message);
  }
}

// The body of the entry `r` is at, as bytes, its path read: the cache keeps entries encoded (a
// decoded result weighs three times as much, and most entries of a run are never looked at).
std::string_view skip_body(Reader& r) {
  const char* begin = r.position();
  r.hash();
  r.u8();
  r.view();
  r.u8();
  r.hash();
  r.u8();
  r.view();
  r.u8();
  r.view();
  r.u8();
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && !r.failed(); ++i) {
    r.view();
    r.u32();
    r.u32();
    r.view();
  }
  return r.failed() ? std::string_view() : std::string_view(begin, static_cast<size_t>(r.position() - begin));
}

// One entry's body, or nullopt when it names a code this build does not know (then it is a miss).
std::optional<ResultCache::Entry> read_body(std::string_view body) {
  Reader r(body);
  std::optional<ResultCache::Entry> out(std::in_place);
  ResultCache::Entry& e = *out;
  e.content = r.hash();
  bool has_folder = r.u8();
  std::string folder = r.str();
  if (has_folder) e.folder = std::move(folder);
  bool has_history = r.u8();
  ContentHash history = r.hash();
  if (has_history) e.history = history;
  uint8_t status = r.u8();
  e.result.status = status == 0 ? FileStatus::kNotMigration : FileStatus::kUnchanged;
  e.result.target = r.str();
  uint8_t rule = r.u8();
  e.result.target_rule = static_cast<TargetRule>(std::min<uint8_t>(rule, static_cast<uint8_t>(TargetRule::kInference)));
  e.result.target_evidence = r.str();
  e.result.prefiltered = r.u8();
  uint32_t count = r.u32();
  bool known = status == static_cast<uint8_t>(FileStatus::kNotMigration) ||
               status == static_cast<uint8_t>(FileStatus::kUnchanged);
  for (uint32_t i = 0; i < count && !r.failed(); ++i) {
    std::string id = r.str();
    Position at{r.u32(), r.u32()};
    std::string message = r.str();
    auto code = code_by_id(id);
    if (!code) known = false;
    else e.result.diagnostics.push_back({*code, at, std::move(message)});
  }
  if (!known || r.failed()) return std::nullopt;
  return out;
}

// A path with nothing lexically_normal would change ("." or ".." components, doubled slashes).
bool plain(std::string_view path) {
  if (path.empty() || path.starts_with("./") || path.starts_with("../") || path == "." || path == "..") return false;
  return path.find("//") == std::string_view::npos && path.find("/./") == std::string_view::npos &&
         path.find("/../") == std::string_view::npos && !path.ends_with("/.") && !path.ends_with("/..") &&
         !path.ends_with("/");
}

}  // namespace

void hash_files(const std::vector<std::string>& paths, std::vector<std::optional<ContentHash>>& hashes,
                unsigned threads) {
  std::atomic<size_t> next = 0;
  auto hash_some = [&] {
    files::block_stop_signals_in_this_thread();
    for (size_t i; (i = next++) < paths.size();) {
      if (hashes[i]) continue;
      try {
        hashes[i] = content_hash(files::OpenFile(paths[i], files::OpenFile::Lock::kNone).read());
      } catch (const files::IoError&) {
        // stays unhashed: compiled (or digested) as unreadable, as without the cache
      }
    }
  };
  std::vector<std::jthread> workers;
  for (unsigned t = 0; t < std::max(1u, threads); ++t) workers.emplace_back(hash_some);
}

std::string absolute_path(const std::string& path) {
  // Once per file of a run: string work where the path is plain, std::filesystem otherwise.
  static const std::string cwd = [] {
    std::error_code ec;
    return fs::current_path(ec).string();
  }();
  if (plain(path) && plain(cwd)) return path.starts_with("/") ? path : cwd + "/" + path;
  return fs::absolute(path).lexically_normal().string();
}

ContentHash content_hash(std::string_view bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return {h.low64, h.high64};
}

DigestBuilder& DigestBuilder::add(std::string_view part) {
  text_ += fmt::format("{}:", part.size());
  text_ += part;
  return *this;
}

ConfigReader ConfigReads::recording(ConfigReader inner) {
  return {[this, read = inner.read](const fs::path& path) {
            std::string bytes = read(path);
            std::lock_guard lock(mu_);
            reads_.emplace_back(absolute_path(path.string()), bytes);
            return bytes;
          },
          [this, read = inner.read_if_present](const fs::path& path) {
            std::optional<std::string> bytes = read(path);
            std::lock_guard lock(mu_);
            reads_.emplace_back(absolute_path(path.string()), bytes);
            return bytes;
          }};
}

void ConfigReads::add_to(DigestBuilder& digest) const {
  std::lock_guard lock(mu_);
  // In path order: which folder's configuration is looked at first must not matter.
  std::set<std::pair<std::string, std::optional<std::string>>> sorted(reads_.begin(), reads_.end());
  for (const auto& [path, bytes] : sorted) {
    digest.add(path);
    digest.add(bytes ? "present" : "absent");
    if (bytes) digest.add(*bytes);
  }
}

size_t ConfigReads::count() const {
  std::lock_guard lock(mu_);
  return reads_.size();
}

void KnownHashes::put(const std::string& path, const ContentHash& hash) {
  std::lock_guard lock(mu_);
  hashes_.insert_or_assign(path, hash);
}

std::optional<ContentHash> KnownHashes::get(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = hashes_.find(path);
  if (it == hashes_.end()) return std::nullopt;
  return it->second;
}

std::vector<files::Found> HistoryInputs::files() const {
  // Every *.py of the folders as the history walks them (a superset: dangling links too).
  std::vector<files::Found> found;
  if (run_files_) {
    for (auto& path : *run_files_) found.push_back({path, false});  // the run has no links: see add_history
  } else {
    for (const auto& location : locations_) {
      for (auto& f : files::walk_python_files(location.folder))
        if (location.recursive || fs::path(f.path).parent_path() == location.folder) found.push_back(std::move(f));
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  found.erase(std::unique(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.path == b.path; }),
              found.end());
  return found;
}

const ContentHash& HistoryInputs::digest() {
  std::call_once(once_, [this] {
    std::vector<files::Found> found = files();
    std::vector<std::string> paths, keys;
    std::vector<std::optional<ContentHash>> hashes;
    for (const auto& f : found) {
      paths.push_back(f.path);
      hashes.push_back(known_.get(keys.emplace_back(absolute_path(f.path))));
    }
    hash_files(paths, hashes, threads_);  // those the run has not read yet
    DigestBuilder digest;
    for (size_t i = 0; i < found.size(); ++i) {
      digest.add(keys[i]);
      // A link's target decides its folder answer, so it is an input too.
      std::error_code ec;
      if (found[i].link) digest.add(fs::canonical(found[i].path, ec).string());
      if (!hashes[i]) {
        digest.add("unreadable");
        continue;
      }
      known_.put(keys[i], *hashes[i]);
      digest.add(std::string_view(reinterpret_cast<const char*>(&*hashes[i]), sizeof *hashes[i]));
    }
    digest_ = digest.finish();
  });
  return digest_;
}

const TableHistory& RecordingHistory::tables_for(const TableRef& table) {
  asked_ = true;
  inputs_.digest();  // before the history reads a file: see HistoryInputs
  return inner_.tables_for(table);
}

const TableHistory& RecordingHistory::tables() {
  asked_ = true;
  inputs_.digest();
  return inner_.tables();
}

ResultCache::ResultCache(fs::path dir, const fs::path& cwd, const ContentHash& settings) : settings_(settings) {
  // One file per working folder: runs from one project share it, another project's runs do not
  // overwrite it.
  ContentHash where = content_hash(absolute_path(cwd.string()));
  file_ = dir / fmt::format("{:016x}{:016x}.cache", where.high, where.low);
  try {
    loaded_ = files::OpenFile(file_.string(), files::OpenFile::Lock::kNone).read();
  } catch (const files::IoError&) {
    return;  // none yet, or unreadable: an empty cache
  }
  if (!index_loaded()) {
    loaded_other_ = true;  // a file this run cannot use: rewritten at the end
    loaded_ = std::string();
    entries_.clear();
  }
}

bool ResultCache::index_loaded() {
  std::string_view bytes = loaded_;
  if (bytes.size() < kMagic.size() + 16 || !bytes.starts_with(kMagic)) return false;
  std::string_view signed_part = bytes.substr(0, bytes.size() - 16);
  if (Reader(bytes.substr(signed_part.size())).hash() != content_hash(signed_part)) return false;
  Reader r(signed_part.substr(kMagic.size()));
  if (r.u32() != kFormatVersion || r.hash() != settings_) return false;
  uint32_t count = r.u32();
  entries_.reserve(count);
  for (uint32_t i = 0; i < count && !r.failed(); ++i) {
    std::string_view path = r.view();
    std::string_view body = skip_body(r);
    if (!r.failed()) entries_.insert_or_assign(path, body);
  }
  return !r.failed() && r.at_end();
}

std::optional<FileResult> ResultCache::find(const std::string& path, const ContentHash& content,
                                            const std::optional<std::string>& folder, HistoryInputs* history) const {
  auto it = entries_.find(path);
  if (it == entries_.end()) return std::nullopt;
  std::optional<Entry> e = read_body(it->second);
  if (!e || e->content != content || e->folder != folder) return std::nullopt;
  if (e->history && (!history || history->digest() != *e->history)) return std::nullopt;
  return std::move(e->result);
}

void ResultCache::add(const std::string& path, const ContentHash& content, const std::optional<std::string>& folder,
                      const FileResult& result, const ContentHash* history_digest) {
  if (!keeps(result)) return;
  Writer w;
  FileResult kept = result;
  kept.output.clear();
  kept.diff.clear();
  write_body(w, {content, folder, history_digest ? std::optional(*history_digest) : std::nullopt, std::move(kept)});
  std::lock_guard lock(mu_);
  added_.insert_or_assign(path, Added{std::move(w.bytes()), history_digest != nullptr});
}

void ResultCache::drop_added_asking_history() {
  std::lock_guard lock(mu_);
  std::erase_if(added_, [](const auto& item) { return item.second.asked_history; });
}

std::optional<std::string> ResultCache::save() {
  std::lock_guard lock(mu_);
  if (added_.empty() && !loaded_other_) return std::nullopt;
  Writer w;
  w.bytes().append(kMagic);
  w.u32(kFormatVersion);
  w.hash(settings_);
  size_t kept = std::min(kMaxEntries, added_.size() + entries_.size());
  w.u32(static_cast<uint32_t>(kept));
  size_t written = 0;
  // Sized once: a string grown by doubling would hold up to twice the file at its peak.
  size_t size = w.bytes().size() + 4 + 16;
  for (const auto& [path, added] : added_) size += 4 + path.size() + added.body.size();
  for (const auto& [path, body] : entries_) size += 4 + path.size() + body.size();
  w.bytes().reserve(std::min(size, kMaxBytes + files::kMaxFileSize / 4));
  auto write_entry = [&](std::string_view path, std::string_view body) {
    w.str(path);
    w.bytes().append(body);
    ++written;
  };
  for (const auto& [path, added] : added_) {
    if (written == kept || w.bytes().size() > kMaxBytes) break;
    write_entry(path, added.body);
  }
  for (const auto& [path, body] : entries_) {
    if (written == kept || w.bytes().size() > kMaxBytes) break;
    if (!added_.count(std::string(path))) write_entry(path, body);
  }
  if (written != kept) {  // fewer than counted (entries replaced): patch the count
    uint32_t n = static_cast<uint32_t>(written);
    std::memcpy(w.bytes().data() + kMagic.size() + 4 + 16, &n, 4);
  }
  ContentHash sum = content_hash(w.bytes());
  w.hash(sum);
  try {
    files::write_unsynced(file_.string(), w.bytes());
  } catch (const files::IoError& e) {
    return fmt::format("{}: {}", file_.string(), e.what());
  }
  return std::nullopt;
}

void RunCache::add_history(MigrationHistory* history, std::vector<HistoryFolders::Location> locations,
                           std::optional<std::vector<std::string>> run_files) {
  if (history && !inputs_.count(history))
    inputs_.emplace(history,
                    std::make_unique<HistoryInputs>(std::move(locations), known_, threads_, std::move(run_files)));
}

void RunCache::hash_ahead(const std::vector<std::string>& paths) {
  std::vector<std::string> keys;
  keys.reserve(paths.size());
  size_t held = 0;
  for (const auto& path : paths) held += results_.holds(keys.emplace_back(absolute_path(path)));
  // Only when the cache holds most of the files: each miss reads its file again.
  if (held == 0 || 2 * held < paths.size()) return;
  keys_ = std::move(keys);
  ahead_.assign(paths.size(), std::nullopt);
  hash_files(paths, ahead_, threads_);
  for (size_t i = 0; i < paths.size(); ++i)
    if (ahead_[i]) known_.put(keys_[i], *ahead_[i]);
}

MigrationHistory* RunCache::watched(MigrationHistory* history) {
  auto it = inputs_.find(history);
  if (!history || it == inputs_.end()) return history;
  return watched_.emplace_back(std::make_unique<RecordingHistory>(*history, *it->second)).get();
}

std::optional<FileResult> RunCache::find_ahead(size_t index, const std::optional<std::string>& folder,
                                               MigrationHistory* history) {
  if (index >= ahead_.size() || !ahead_[index]) return std::nullopt;
  auto it = inputs_.find(history);
  if (history && it == inputs_.end()) return std::nullopt;
  auto hit = results_.find(keys_[index], *ahead_[index], folder, history ? it->second.get() : nullptr);
  if (hit) ++hits_;
  return hit;
}

RunCache::Lookup RunCache::look_up(const std::string& path, std::string_view bytes,
                                   const std::optional<std::string>& folder, MigrationHistory* history) {
  Lookup lookup;
  lookup.path = absolute_path(path);
  lookup.content = content_hash(bytes);
  lookup.folder = folder;
  known_.put(lookup.path, lookup.content);
  if (auto it = inputs_.find(history); it != inputs_.end()) lookup.inputs = it->second.get();
  lookup.hit = results_.find(lookup.path, lookup.content, folder, lookup.inputs);
  if (lookup.hit) ++hits_;
  if (!lookup.hit && history && lookup.inputs)
    lookup.recording = std::make_unique<RecordingHistory>(*history, *lookup.inputs);
  // A history whose inputs are not known cannot be checked on the next run.
  lookup.cacheable = !history || lookup.inputs;
  return lookup;
}

void RunCache::keep(const Lookup& lookup, const FileResult& result) {
  if (!lookup.cacheable) return;
  bool asked = lookup.recording && lookup.recording->asked();
  results_.add(lookup.path, lookup.content, lookup.folder, result, asked ? &lookup.inputs->digest() : nullptr);
}

std::optional<std::string> RunCache::save(bool histories_complete) {
  if (!histories_complete) results_.drop_added_asking_history();
  return results_.save();
}

}  // namespace alembic_fix
