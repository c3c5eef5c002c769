#include "compiler/cli/fix.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "compiler/cli/cache.h"
#include "compiler/cli/config.h"
#include "compiler/cli/files.h"
#include "compiler/cli/history_folders.h"
#include "compiler/cli/report/printer.h"
#include "compiler/cli/target_folder.h"
#include "compiler/pipeline.h"

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

FileResult io_failure(std::string message) {
  FileResult r;
  r.status = FileStatus::kError;
  r.diagnostics.push_back({codes::kIoError, {}, std::move(message)});
  return r;
}

// An exception from the pipeline is a bug of alembic-fix, not a problem with the file.
FileResult internal_failure(const std::exception& e) {
  FileResult r;
  r.status = FileStatus::kError;
  r.diagnostics.push_back(
      {codes::kInternalError, {}, fmt::format("internal error: {}; the file is left untouched", e.what())});
  return r;
}

// A symlink whose target cannot be reached: the file cannot be checked, which is an error, so a
// --check never passes over it.
std::string dangling_link(const std::string& path, const std::error_code& why) {
  std::error_code ec;
  fs::path target = fs::read_symlink(path, ec);
  return fmt::format("a symlink to \"{}\", which cannot be followed ({}): the file cannot be checked",
                     ec ? "?" : target.string(), why.message());
}

struct Job {
  std::string path;                   // as found: what messages name
  bool link = false;                  // a symlink: writes go to its target
  std::optional<std::string> folder;  // the folder rule's answer (target_folder.h)
  MigrationHistory* history = nullptr;  // its versions folder's history, read on first ask
};

// One file read and compiled; what is left to do is the write, if any.
struct Compiled {
  FileResult result;
  std::string real_path;               // the symlink's target: the link stays a link
  std::optional<files::OpenFile> file;  // kept open until written: the version that was read
  bool needs_write = false;
};

// `before_waiting`: see files::OpenFile. `cache`: null when the run keeps none; `index`: the
// job's place in the run, for RunCache::find_ahead.
Compiled compile_job(const Job& job, const RunOptions& options, const CompileOptions& compile,
                     PythonParser& parser, const std::function<void()>& before_waiting, RunCache* cache = nullptr,
                     size_t index = 0) {
  Compiled out;
  if (cache)
    if (auto hit = cache->find_ahead(index, job.folder, job.history)) {
      out.result = std::move(*hit);
      return out;
    }
  out.real_path = job.path;
  if (job.link) {
    std::error_code ec;
    fs::path real = fs::canonical(job.path, ec);
    if (ec) {
      out.result = io_failure(dangling_link(job.path, ec));
      return out;
    }
    out.real_path = real.string();
  }
  std::string bytes;
  try {
    // Locked from this read to the rename when the file may be written: a second run on the same
    // files waits for it, then reads the fixed version.
    auto lock = options.mode == Mode::kWrite ? files::OpenFile::Lock::kExclusive : files::OpenFile::Lock::kNone;
    out.file.emplace(out.real_path, lock, before_waiting);
    bytes = out.file->read();
  } catch (const files::IoError& e) {
    out.result = io_failure(e.what());
    out.file.reset();
    return out;
  }
  std::optional<RunCache::Lookup> cached;
  if (cache) {
    cached.emplace(cache->look_up(job.path, bytes, job.folder, job.history));
    if (cached->hit) {
      out.result = std::move(*cached->hit);
      out.file.reset();
      return out;
    }
  }
  try {
    MigrationHistory* history = cached ? cached->history(job.history) : job.history;
    out.result = compile_file(job.path, std::move(bytes), compile, parser, job.folder, history);
    if (cached) cache->keep(*cached, out.result);
  } catch (const std::exception& e) {
    out.result = internal_failure(e);
    out.file.reset();
    return out;
  }
  out.needs_write = out.result.status == FileStatus::kChanged && options.mode == Mode::kWrite;
  if (!out.needs_write) out.file.reset();
  return out;
}

void commit(Compiled& c) {
  try {
    files::replace(c.real_path, c.result.output, *c.file);
  } catch (const files::IoError& e) {
    c.result.status = FileStatus::kError;
    c.result.diagnostics.push_back({codes::kIoError, {}, e.what()});
  }
  c.file.reset();
}

// Writes mostly wait on the disk (fsync), and concurrent fsyncs share the journal's commits, so
// writes get threads of their own, more than the cores: 8 keeps several fsyncs in flight on one
// disk without a thread per file (a round figure, not a measured optimum).
constexpr unsigned kWriterThreads = 8;
static_assert(kWriterThreads + 1 <= files::kMaxTemporaryFiles,
              "each writer holds one temporary file at a time (+1: the main thread's, for maps -o)");
// Compiler threads claim files a run at a time and hand a run's results over under one lock: on
// clean files the hand-over, not the work, would otherwise dominate (16: 658 -> 213 ms on
// 20,000 clean files, commit 40ffeb2).
constexpr size_t kRunLength = 16;
// How far compiling may run ahead of reporting, in runs per compiler thread: enough that no
// thread waits on a slow file, small enough that memory stays bounded.
constexpr size_t kRunsAheadPerThread = 4;

// Runs every job and hands results to `done` in job order. `jobs` threads parse and compile;
// writes go to kWriterThreads threads of their own. Nothing runs more than `window_` files ahead
// of the one being reported, so memory (and open files) stay bounded however large the folder
// and however slow one file is.
class OrderedRun {
 public:
  using Done = std::function<void(const Job&, const FileResult&)>;

  OrderedRun(const std::vector<Job>& work, unsigned jobs, const RunOptions& options, const CompileOptions& compile,
             RunCache* cache)
      : work_(work), jobs_(jobs), options_(options), compile_(compile), cache_(cache), slots_(work.size()),
        ready_(work.size(), false) {
    writers_ = options.mode == Mode::kWrite ? kWriterThreads : 0;
    window_ = std::max<size_t>(kRunsAheadPerThread * kRunLength * jobs, 2 * size_t{writers_});
    // A file waiting for its write stays open (and locked): never more than the process may hold.
    if (options.mode == Mode::kWrite) window_ = std::min(window_, files::open_file_budget());
  }

  void run(const Done& done) {
    // One file, as a post-write hook runs it: starting threads would cost more than the file.
    if (work_.size() == 1) {
      PythonParser parser;
      Compiled c = compile_job(work_[0], options_, compile_, parser, [] {});
      if (c.needs_write) commit(c);
      c.result.output = std::string();
      done(work_[0], c.result);
      return;
    }
    std::vector<std::jthread> writing, compiling;
    for (unsigned t = 0; t < writers_; ++t) writing.emplace_back([this] { write_loop(); });
    for (unsigned t = 0; t < jobs_; ++t) compiling.emplace_back([this] { compile_loop(); });
    for (size_t i = 0; i < work_.size(); ++i) {
      Compiled c = take_when_ready(i);
      c.result.output = std::string();  // written or not needed: free it before reporting
      done(work_[i], c.result);
    }
    compiling.clear();
    {
      std::lock_guard lock(mu_);
      compiling_done_ = true;
    }
    write_cv_.notify_all();
  }

 private:
  // Under mu_.
  void mark_ready(size_t i) {
    ready_[i] = true;
    if (i == reported_) report_cv_.notify_one();
  }

  Compiled take_when_ready(size_t i) {
    std::unique_lock lock(mu_);
    report_cv_.wait(lock, [&] { return ready_[i]; });
    Compiled c = std::move(*slots_[i]);
    slots_[i].reset();
    ++reported_;
    if (waiting_for_window_) window_cv_.notify_all();
    return c;
  }

  // The next run of files to compile, as [first, first + count); count 0 when all are claimed.
  std::pair<size_t, size_t> claim_run() {
    std::unique_lock lock(mu_);
    ++waiting_for_window_;
    window_cv_.wait(lock, [&] { return next_ >= work_.size() || next_ < reported_ + window_; });
    --waiting_for_window_;
    if (next_ >= work_.size()) return {next_, 0};
    size_t first = next_;
    size_t count = std::min({kRunLength, work_.size() - next_, reported_ + window_ - next_});
    next_ += count;
    return {first, count};
  }

  // Results for files [first, first + results.size()): to a writer, or straight to reporting.
  void hand_over(size_t first, std::vector<Compiled>& results) {
    std::lock_guard lock(mu_);
    for (size_t k = 0; k < results.size(); ++k) {
      bool write = results[k].needs_write;
      slots_[first + k].emplace(std::move(results[k]));
      if (write) {
        to_write_.push_back(first + k);
        write_cv_.notify_one();
      } else {
        mark_ready(first + k);
      }
    }
    results.clear();
  }

  void compile_loop() {
    files::block_stop_signals_in_this_thread();
    PythonParser parser;
    std::vector<Compiled> done_here;
    size_t first_held = 0;  // the file done_here[0] is
    // Before waiting for a lock another run holds, hand over the files (and locks) this thread
    // holds: a waiting thread holds no lock, and writers never wait for one, so two runs cannot
    // wait on each other whatever order their files come in.
    auto hand_over_held = [&] {
      size_t held = done_here.size();
      hand_over(first_held, done_here);
      first_held += held;
    };
    for (;;) {
      auto [first, count] = claim_run();
      if (count == 0) return;
      first_held = first;
      for (size_t i = first; i < first + count; ++i)
        done_here.push_back(compile_job(work_[i], options_, compile_, parser, hand_over_held, cache_, i));
      hand_over_held();
    }
  }

  void write_loop() {
    files::block_stop_signals_in_this_thread();
    for (;;) {
      size_t i;
      {
        std::unique_lock lock(mu_);
        write_cv_.wait(lock, [&] { return !to_write_.empty() || compiling_done_; });
        if (to_write_.empty()) return;
        i = to_write_.front();
        to_write_.pop_front();
      }
      commit(*slots_[i]);  // slot i is this thread's alone until it is marked ready
      std::lock_guard lock(mu_);
      mark_ready(i);
    }
  }

  const std::vector<Job>& work_;
  const unsigned jobs_;
  const RunOptions& options_;
  const CompileOptions& compile_;
  RunCache* cache_;  // null: no cache (one file, --no-cache)
  unsigned writers_ = 0;
  size_t window_ = 0;

  std::mutex mu_;
  // One condition each, woken only when its waiter can move: a wake-up per file for every
  // thread costs more than the work on a clean file.
  std::condition_variable report_cv_, window_cv_, write_cv_;
  std::vector<std::optional<Compiled>> slots_;
  std::vector<bool> ready_;
  std::deque<size_t> to_write_;
  size_t next_ = 0, reported_ = 0, waiting_for_window_ = 0;
  bool compiling_done_ = false;
};

// What the fix command counts of its files, and what it makes of that: the exit status and the
// summary line.
struct Tally {
  size_t changed = 0, unchanged = 0, skipped = 0, failed = 0;
  size_t findings = 0;  // unchanged files holding a warning that is a finding (Code::finding)

  void add(const FileResult& result) {
    if (result.status == FileStatus::kUnchanged &&
        std::any_of(result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& d) { return d.code.finding; }))
      ++findings;
    switch (result.status) {
      case FileStatus::kChanged: ++changed; break;
      case FileStatus::kUnchanged: ++unchanged; break;
      case FileStatus::kNotMigration: ++skipped; break;
      case FileStatus::kError: ++failed; break;
    }
  }

  // See fix.h.
  int exit_status(Mode mode) const { return failed ? 2 : (mode != Mode::kWrite && (changed || findings)) ? 1 : 0; }

  Summary summary(Mode mode) const {
    bool check = mode != Mode::kWrite;
    std::string line = fmt::format("{} {} {}, {} unchanged", changed, changed == 1 ? "file" : "files",
                                   check ? "would be fixed" : "fixed", unchanged);
    if (skipped) line += fmt::format(", {} {}", skipped, skipped == 1 ? "not a migration" : "not migrations");
    if (failed) line += fmt::format(", {} failed", failed);
    if (check && findings) line += fmt::format(", {} with a possible foreign drop to check", findings);
    return {line + ".",
            {{"changed", changed}, {"unchanged", unchanged}, {"not_migration", skipped}, {"failed", failed}},
            exit_status(mode)};
  }
};

// Each file's result goes to the printer, its diff (--diff) to stdout, its status to the tally.
class FixReport {
 public:
  explicit FixReport(const RunOptions& options)
      : printer_(make_printer({.format = options.format,
                               .check = options.mode != Mode::kWrite,
                               .quiet = options.quiet,
                               .verbose = options.verbose,
                               .statistics = options.statistics,
                               .rules = all_codes()})),
        mode_(options.mode) {
    printer_->begin();
  }

  void file(std::string_view path, const FileResult& result) {
    tally_.add(result);
    printer_->file(path, result.diagnostics, &result);
    if (!result.diff.empty()) std::cout << result.diff;
  }

  int finish() {
    Summary summary = tally_.summary(mode_);
    printer_->finish(summary);
    return summary.exit_status;
  }

 private:
  std::unique_ptr<Printer> printer_;
  Mode mode_;
  Tally tally_;
};

// A PATH argument, or a version location of the Alembic configuration.
struct Root {
  std::string path;
  bool recursive = true;  // false: only the files directly in the folder, as Alembic loads them
  MigrationHistory* history = nullptr;
};

// The files the roots name, in path order per root, each with its folder rule's answer; a root
// that is not there is reported as it is met.
std::vector<Job> collect_work(const std::vector<Root>& roots, const fs::path& cwd, TargetFolders& folders,
                              HistoryFolders& histories, FixReport& report) {
  std::vector<Job> work;
  for (const Root& root : roots) {
    const std::string& p = root.path;  // a plain name: clang 14 cannot capture a structured binding
    if (p == "-") continue;
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      std::error_code link_ec;
      if (!ec) ec = std::make_error_code(std::errc::no_such_file_or_directory);
      bool link = fs::is_symlink(fs::symlink_status(p, link_ec));
      report.file(p, io_failure(link ? dangling_link(p, ec) : "no such file or directory"));
      continue;
    }
    std::vector<files::Found> found;
    if (fs::is_directory(st)) {
      found = files::walk_python_files(p);
      if (root.history) histories.walked(p, found);  // its history need not walk it again
    } else {
      found.push_back({p, fs::is_symlink(fs::symlink_status(p, ec))});
    }
    if (!root.recursive)
      std::erase_if(found, [&](const files::Found& f) { return fs::path(f.path).parent_path() != fs::path(p); });
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    // A file that is no link has its folder's answer (target_folder.h): asked once per folder
    // in a row of its files, not once per file.
    std::string last_dir;
    std::optional<std::optional<std::string>> last_answer;
    for (auto& f : found) {
      std::optional<std::string> folder;
      if (!f.dangling) {
        std::string dir = f.path.substr(0, f.path.rfind('/') == std::string::npos ? 0 : f.path.rfind('/'));
        if (!f.link && last_answer && dir == last_dir) {
          folder = *last_answer;
        } else {
          folder = folders.of(f.path, cwd, f.link);
          if (!f.link) {
            last_dir = std::move(dir);
            last_answer = folder;
          }
        }
      }
      work.push_back({std::move(f.path), f.link, std::move(folder), root.history});
    }
  }
  // The same file named twice (two arguments, or a link to a file also found by its own name) is
  // processed once. One folder without file links, the common case, needs no stat per file.
  bool may_repeat = roots.size() > 1 || std::any_of(work.begin(), work.end(), [](const Job& j) { return j.link; });
  if (may_repeat) {
    std::set<std::pair<dev_t, ino_t>> seen;
    std::erase_if(work, [&](const Job& j) {
      struct stat info {};
      return ::stat(j.path.c_str(), &info) == 0 && !seen.insert({info.st_dev, info.st_ino}).second;
    });
  }
  return work;
}

// stdin is a file of its own, written to stdout.
void fix_stdin(const RunOptions& options, const CompileOptions& compile, const fs::path& cwd, TargetFolders& folders,
               MigrationHistory* history, FixReport& report) {
  PythonParser parser;
  const std::string& name = options.stdin_filename;
  auto folder = name == "-" ? std::nullopt : folders.of(name, cwd, true);
  std::string original;  // echoed when nothing is fixed; nothing at all when stdin was refused
  FileResult result;
  try {
    original = files::read_stdin();
    result = compile_file(name, std::string(original), compile, parser, folder, history);
  } catch (const files::IoError& e) {
    result = io_failure(e.what());
  } catch (const std::exception& e) {
    result = internal_failure(e);
  }
  if (options.mode == Mode::kWrite) std::cout << (result.status == FileStatus::kChanged ? result.output : original);
  report.file(name, result);
}

// The map, or nullopt once the reason it cannot be had is printed.
std::optional<TargetMap> maps_or_say_why(const RunOptions& options, ProjectConfig& project) {
  try {
    TargetMap maps = project.load_maps(options.maps_file);
    if (!options.target || maps.has_target(*options.target)) return maps;
    std::cerr << fmt::format("alembic-fix: error: unknown target \"{}\" (known: {}; from {})\n", *options.target,
                             maps.target_names(), maps.origin());
  } catch (const MapError& e) {
    std::cerr << "alembic-fix: error: " << e.what() << "\n";
  } catch (const ConfigError& e) {
    std::cerr << "alembic-fix: error: " << e.what() << "\n";
  }
  return std::nullopt;
}

std::string shown(const fs::path& path, const fs::path& cwd) {
  std::string relative = path.lexically_proximate(cwd).string();
  return relative.empty() ? path.string() : relative;
}

// What to fix: the PATH arguments, or without any, the version locations of the Alembic
// configuration (config.h), named from the working folder as a user would type them. A location
// that is not there is skipped, as Alembic skips it. nullopt once the reason there is nothing to
// fix is printed.
// `locations` gets the configuration's version locations.
std::optional<std::vector<Root>> roots_to_fix(const RunOptions& options, ProjectConfig& project, const fs::path& cwd,
                                              std::vector<fs::path>& locations) {
  std::vector<Root> roots;
  for (const auto& p : options.paths) roots.push_back({p});
  if (!roots.empty()) return roots;
  AlembicConfig config;
  try {
    config = project.find_alembic(options.alembic_config);
  } catch (const ConfigError& e) {
    std::cerr << "alembic-fix: error: " << e.what() << "\n";
    return std::nullopt;
  }
  locations = config.version_locations;
  std::vector<std::string> missing;
  for (const auto& location : config.version_locations) {
    std::error_code ec;
    if (fs::is_directory(location, ec)) roots.push_back({shown(location, cwd), config.recursive});
    else missing.push_back(shown(location, cwd));
  }
  if (roots.empty()) {
    std::cerr << fmt::format("alembic-fix: error: {} names no versions folder that exists (looked for {})\n",
                             shown(config.file, cwd), fmt::join(missing, ", "));
    return std::nullopt;
  }
  if (options.verbose) {
    std::vector<std::string_view> names;
    for (const auto& root : roots) names.push_back(root.path);
    std::cerr << fmt::format("alembic-fix: migrations from {}: {}{}{}\n", shown(config.file, cwd),
                             fmt::join(names, ", "), config.recursive ? " and their subfolders" : "",
                             missing.empty() ? "" : fmt::format(" ({} not found, skipped)", fmt::join(missing, ", ")));
  }
  return roots;
}

// Everything a file's result depends on besides its bytes, its folder answer and its history:
// a change of any of it empties the cache (compiler/cli/cache.h). Output options (format, quiet,
// verbose, statistics) are left out: the printers only read the result.
ContentHash settings_digest(const RunOptions& options, const CompileOptions& compile, const fs::path& cwd,
                            const ConfigReads& config) {
  DigestBuilder digest;
  digest.add(ALEMBIC_FIX_VERSION).add(files::own_executable_identity()).add(cwd.string());
  digest.add(compile.maps->origin());
  config.add_to(digest);
  digest.add(compile.target.value_or("\n(none)")).add(compile.target_from_environment ? "env" : "option");
  // Not the mode: an unchanged file's result is the same under --check, --diff and a write.
  digest.add(fmt::format("unknown {} annotate {} history {} prefilter {}", static_cast<int>(compile.passes.drops.unknown),
                         compile.passes.annotate.enabled, options.history, compile.prefilter));
  return digest.finish();
}

// The result cache for a run of two or more files; none for one file (the post-write hook: its
// file is always new, and reading the cache would cost more than the file), nor with --no-cache,
// nor where this binary cannot tell itself from another build.
std::unique_ptr<RunCache> open_cache(const RunOptions& options, const CompileOptions& compile, const fs::path& cwd,
                                     const ConfigReads& config, const std::vector<Job>& work,
                                     const std::vector<Root>& roots, HistoryFolders& history_folders, unsigned jobs) {
  if (!options.cache_dir || work.size() < 2 || files::own_executable_identity().empty()) return nullptr;
  // The histories' folders first: finding them may read configuration the digest must cover.
  std::vector<std::pair<MigrationHistory*, std::vector<HistoryFolders::Location>>> histories;
  if (options.history && options.paths.empty() && !roots.empty()) {
    histories.emplace_back(roots[0].history, std::vector<HistoryFolders::Location>{});
    for (const auto& root : roots) histories.back().second.push_back({root.path, root.recursive});
  } else if (options.history) {
    for (const auto& root : roots) histories.emplace_back(root.history, history_folders.locations_for(root.path));
  }
  auto cache = std::make_unique<RunCache>(*options.cache_dir, cwd, settings_digest(options, compile, cwd, config), jobs);
  // One folder's history, and that folder is the run's one root: its files are the run's own.
  bool history_is_root = histories.size() == 1 && roots.size() == 1 && histories[0].second.size() == 1 &&
                         histories[0].second[0].folder == fs::path(roots[0].path) &&
                         histories[0].second[0].recursive == roots[0].recursive &&
                         std::none_of(work.begin(), work.end(), [](const Job& j) { return j.link; });
  std::vector<std::string> paths;
  for (const Job& job : work) paths.push_back(job.path);
  for (auto& [history, locations] : histories)
    cache->add_history(history, std::move(locations), history_is_root ? std::optional(paths) : std::nullopt);
  if (options.mode != Mode::kWrite) cache->hash_ahead(paths);
  return cache;
}

}  // namespace

int run(const RunOptions& options) {
  std::ios::sync_with_stdio(false);
  std::error_code cwd_ec;
  const fs::path cwd = fs::current_path(cwd_ec);
  ConfigReads config_reads;  // for the cache's settings digest
  ProjectConfig project(cwd, options.cache_dir ? config_reads.recording(files::config_reader()) : files::config_reader());
  std::optional<TargetMap> maps = maps_or_say_why(options, project);
  if (!maps) return 2;
  std::vector<fs::path> locations;
  std::optional<std::vector<Root>> roots = roots_to_fix(options, project, cwd, locations);
  if (!roots) return 2;
  CompileOptions compile;
  compile.target = options.target;
  compile.target_from_environment = options.target_from_environment;
  compile.maps = &*maps;
  compile.passes.drops.unknown = options.unknown;
  compile.passes.annotate.enabled = options.annotate;
  compile.want_diff = options.mode == Mode::kDiff;
  compile.prefilter = options.prefilter;

  if (options.mode == Mode::kWrite) files::install_stop_handlers();
  // Past a file size limit (ulimit -f) a write should fail with EFBIG and be reported, not
  // kill the process.
  ::signal(SIGXFSZ, SIG_IGN);
  FixReport report(options);
  TargetFolders folders(*maps, project, locations);
  HistoryFolders histories(*maps, options.target, folders, cwd);
  MigrationHistory* stdin_history = nullptr;
  if (options.history) {
    if (options.paths.empty()) {  // the configuration's locations: one history for them all
      std::vector<HistoryFolders::Location> all;
      for (const auto& root : *roots) all.push_back({root.path, root.recursive});
      MigrationHistory* history = histories.for_locations(std::move(all));
      for (auto& root : *roots) root.history = history;
    } else {
      for (auto& root : *roots) root.history = histories.for_path(root.path);
      stdin_history = histories.for_path(options.stdin_filename);
    }
  }
  std::vector<Job> work = collect_work(*roots, cwd, folders, histories, report);
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(work.size(), 1)));
  if (work.size() > 1) histories.read_whole_on(jobs);
  std::unique_ptr<RunCache> cache = open_cache(options, compile, cwd, config_reads, work, *roots, histories, jobs);
  size_t config_files_read = config_reads.count();
  // stdin is never cached, but a history it shares with the files must be digested before it reads.
  if (std::find(options.paths.begin(), options.paths.end(), "-") != options.paths.end())
    fix_stdin(options, compile, cwd, folders, cache ? cache->watched(stdin_history) : stdin_history, report);

  OrderedRun(work, jobs, options, compile, cache.get()).run([&](const Job& job, const FileResult& result) {
    report.file(job.path, result);
  });
  if (cache) {
    std::optional<std::string> why = cache->save(config_reads.count() == config_files_read);
    if (options.verbose)
      std::cerr << fmt::format("alembic-fix: {} of {} results from the result cache {}{}\n", cache->hits(), work.size(),
                               cache->file().string(), why ? fmt::format(", which could not be written ({})", *why) : "");
  }
  return report.finish();
}

}  // namespace alembic_fix
