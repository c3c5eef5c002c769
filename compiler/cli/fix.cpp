#include "compiler/cli/fix.h"

#include <fcntl.h>
#include <signal.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "compiler/cli/config.h"
#include "compiler/pipeline.h"
#include "compiler/cli/report/printer.h"

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string errno_text(int err) { return std::strerror(err); }

// A migration is kilobytes; a file of many megabytes is not one, and its tree would take
// gigabytes (a 50 MB file: 6 GB and 45 s). Refused, untouched.
constexpr off_t kMaxFileSize = 16 << 20;
IoError too_large(size_t size) {
  return IoError(fmt::format("{:.1f} MB is more than alembic-fix reads as one migration ({} MiB); left untouched",
                             static_cast<double>(size) / 1e6, kMaxFileSize >> 20));
}

// Reads a whole regular file; refuses anything else (a fifo would block, a device never ends).
std::string read_file(const std::string& path, struct stat& info) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw IoError(fmt::format("cannot open: {}", errno_text(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fstat(fd, &info) != 0) throw IoError(fmt::format("cannot stat: {}", errno_text(errno)));
  if (S_ISDIR(info.st_mode)) throw IoError("is a directory, expected a file");
  if (!S_ISREG(info.st_mode)) throw IoError("not a regular file (fifo, socket or device); skipped");
  if (info.st_size > kMaxFileSize) throw too_large(static_cast<size_t>(info.st_size));
  std::string bytes;
  bytes.resize(static_cast<size_t>(info.st_size) + 1);  // room for the read that finds the end
  size_t got = 0;
  for (;;) {
    if (got == bytes.size()) bytes.resize(std::max<size_t>(bytes.size() * 2, 4096));
    ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("cannot read: {}", errno_text(errno)));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Temporary files in flight, for the signal handler: on SIGINT, SIGTERM or SIGHUP it removes
// them and exits 2, so an interrupted run leaves each file either as it was or fully fixed, and
// no temporary file behind. Slots, not a container: the handler may only read plain memory.
class InFlightTemps {
 public:
  static constexpr size_t kSlots = 64;  // more than the writer threads

  // Claims a slot and creates the temporary file from `pattern` (mkstemp). -1 when a signal
  // has already stopped the run, or on failure (errno set).
  int create(const std::string& pattern, size_t& slot) {
    for (slot = 0; slot < kSlots; ++slot) {
      int free = kFree;
      if (state_[slot].compare_exchange_strong(free, kCreating)) break;
    }
    if (slot == kSlots || pattern.size() >= sizeof(paths_[0])) {
      if (slot < kSlots) state_[slot] = kFree;
      errno = EMFILE;
      return -1;
    }
    if (stopping_) {  // after claiming: the handler either sees this slot or we see it stopping
      state_[slot] = kFree;
      errno = EINTR;
      return -1;
    }
    std::memcpy(paths_[slot], pattern.c_str(), pattern.size() + 1);
    int fd = ::mkstemp(paths_[slot]);
    state_[slot] = fd < 0 ? kFree : kCreated;
    return fd;
  }
  const char* path(size_t slot) const { return paths_[slot]; }
  void release(size_t slot) { state_[slot] = kFree; }

  // Async-signal-safe: atomics, unlink, write, _exit.
  [[noreturn]] void abandon_and_exit() {
    stopping_ = true;
    for (size_t i = 0; i < kSlots; ++i) {
      while (state_[i] == kCreating) {
      }  // a writer thread is inside mkstemp; it finishes in microseconds
      if (state_[i] == kCreated) ::unlink(paths_[i]);
    }
    static const char message[] = "alembic-fix: interrupted; files not yet written are unchanged\n";
    ssize_t ignored = ::write(STDERR_FILENO, message, sizeof(message) - 1);
    (void)ignored;
    ::_exit(2);
  }

 private:
  enum { kFree, kCreating, kCreated };
  std::atomic<int> state_[kSlots]{};
  char paths_[kSlots][4096]{};
  std::atomic<bool> stopping_{false};
};
InFlightTemps in_flight;

extern "C" void on_stop_signal(int) { in_flight.abandon_and_exit(); }

// Signals go to the main thread only, so the handler never interrupts a writer in the middle
// of claiming a slot it would then wait for.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &action, nullptr);
}
void block_stop_signals_in_this_thread() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

bool same_version(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;  // chmod, chown
}

// Temp file beside the target, fsync, rename: a crash leaves the old file or the new one, never
// half of one. The target must still be the version that was read.
void write_atomically(const std::string& path, const std::string& bytes, const struct stat& read_info) {
  fs::path target(path);
  std::string pattern = (target.parent_path() / ("." + target.filename().string() + ".alembic-fix-XXXXXX")).string();
  size_t slot = 0;
  int fd = in_flight.create(pattern, slot);
  if (fd < 0) throw IoError(fmt::format("cannot create a temporary file beside it: {}", errno_text(errno)));
  const char* temp = in_flight.path(slot);
  auto give_up = [&](const std::string& message) {
    ::close(fd);
    ::unlink(temp);
    in_flight.release(slot);
    throw IoError(message);
  };
  auto fail = [&](const std::string& what) {
    int err = errno;
    give_up(fmt::format("{}: {}; the file is unchanged", what, errno_text(err)));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write the new version");
    done += static_cast<size_t>(n);
  }
  // The new version keeps the old one's owner (root fixing a user's file must not take it)
  // and then its mode (a chown clears set-id bits).
  struct stat temp_info {};
  if (::fstat(fd, &temp_info) != 0) fail("cannot stat the new version");
  if ((temp_info.st_uid != read_info.st_uid || temp_info.st_gid != read_info.st_gid) &&
      ::fchown(fd, read_info.st_uid, read_info.st_gid) != 0)
    fail("cannot keep the file's owner");
  if (::fchmod(fd, read_info.st_mode & 07777) != 0) fail("cannot keep the file's mode");
  if (::fsync(fd) != 0) fail("cannot flush the new version");
  // Never write over a version this run did not read (another run, an editor).
  struct stat now {};
  if (::stat(path.c_str(), &now) != 0)
    give_up("the file disappeared while it was being fixed; nothing written");
  if (!same_version(now, read_info))
    give_up("the file changed while it was being fixed; the newer version is kept (run again)");
  if (::rename(temp, path.c_str()) != 0) fail("cannot replace the file");
  in_flight.release(slot);
  ::close(fd);
}

// Migrations are *.py files; caches and hidden folders are never walked, and a folder reached
// twice through symlinks is walked once.
struct Found {
  std::string path;
  bool link = false;  // the name is a symlink: writes go to its target
};

void walk(const fs::path& root, std::vector<Found>& files) {
  std::set<std::pair<dev_t, ino_t>> visited;
  struct stat info {};
  if (::stat(root.c_str(), &info) == 0) visited.insert({info.st_dev, info.st_ino});
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::follow_directory_symlink |
                                               fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      bool skip = name.starts_with(".") || name == "__pycache__";
      if (!skip && ::stat(p.c_str(), &info) == 0) skip = !visited.insert({info.st_dev, info.st_ino}).second;
      if (skip) it.disable_recursion_pending();
      continue;
    }
    if (p.extension() == ".py" && it->is_regular_file(type_ec)) files.push_back({p.string(), it->is_symlink(type_ec)});
  }
}

// Configuration files come through the same reader as migrations: a fifo or a huge file named as
// a map is refused the same way.
ConfigReader config_reader() {
  auto read = [](const fs::path& path, struct stat& info) {
    try {
      return read_file(path.string(), info);
    } catch (const IoError& e) {
      throw ConfigError(fmt::format("{}: {}", path.string(), e.what()));
    }
  };
  return {[read](const fs::path& path) {
            struct stat info {};
            return read(path, info);
          },
          [read](const fs::path& path) -> std::optional<std::string> {
            struct stat info {};
            if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
            return read(path, info);
          }};
}

FileResult io_failure(std::string message) {
  FileResult r;
  r.status = FileStatus::kError;
  r.diagnostics.push_back({codes::kIoError, {}, std::move(message)});
  return r;
}

// The nearest folder named after a target, from the file's own folder up to the folder the user
// named (for a file argument, its own folder): `versions/plant/` decides, `/home/hq/` does not.
// `top` and `cwd` are absolute and normal, so this costs no system call per file.
std::optional<std::string> folder_target(const std::string& file, const fs::path& top, const fs::path& cwd,
                                         const TargetMap& maps) {
  fs::path dir = (cwd / file).lexically_normal().parent_path();
  for (; !dir.empty(); dir = dir.parent_path()) {
    if (maps.has_target(dir.filename().string())) return dir.filename().string();
    if (dir == top || dir == dir.root_path()) break;
  }
  return std::nullopt;
}

// The folder a PATH argument names for the folder rule: itself, or a file's own folder.
fs::path top_folder(const std::string& argument, bool is_directory, const fs::path& cwd) {
  fs::path top = (cwd / argument).lexically_normal();
  if (!top.has_filename()) top = top.parent_path();  // "versions/" -> "versions"
  return is_directory ? top : top.parent_path();
}

struct Job {
  std::string path;       // as found: what messages name
  bool link = false;      // a symlink: writes go to its target
  const fs::path* top;    // see folder_target
};

// One file read and compiled; what is left to do is the write, if any.
struct Compiled {
  FileResult result;
  std::string real_path;  // the symlink's target: the link stays a link
  struct stat read_info {};
  bool needs_write = false;
};

Compiled compile_job(const Job& job, const fs::path& cwd, const RunOptions& options, const CompileOptions& compile,
                     PythonParser& parser) {
  Compiled out;
  out.real_path = job.path;
  if (job.link) {
    std::error_code ec;
    fs::path real = fs::canonical(job.path, ec);
    if (ec) {
      out.result = io_failure(fmt::format("{}", ec.message()));
      return out;
    }
    out.real_path = real.string();
  }
  std::string bytes;
  try {
    bytes = read_file(out.real_path, out.read_info);
  } catch (const IoError& e) {
    out.result = io_failure(e.what());
    return out;
  }
  try {
    out.result = compile_file(job.path, std::move(bytes), compile, parser, folder_target(job.path, *job.top, cwd, *compile.maps));
  } catch (const std::exception& e) {
    out.result = io_failure(fmt::format("internal error: {}; the file is left untouched", e.what()));
    return out;
  }
  out.needs_write = out.result.status == FileStatus::kChanged && options.mode == Mode::kWrite;
  return out;
}

void commit(Compiled& c) {
  try {
    write_atomically(c.real_path, c.result.output, c.read_info);
  } catch (const IoError& e) {
    c.result.status = FileStatus::kError;
    c.result.diagnostics.push_back({codes::kIoError, {}, e.what()});
  }
}

// Runs every job and hands results to `done` in job order. `jobs` threads parse and compile;
// writes go to their own threads, since an fsync mostly waits on the disk and concurrent ones
// share journal commits. Nothing runs more than `window` files ahead of the one being reported,
// so memory stays bounded however large the folder and however slow one file is.
template <typename Done>
void run_in_order(const std::vector<Job>& work, const fs::path& cwd, unsigned jobs, const RunOptions& options,
                  const CompileOptions& compile, Done done) {
  const unsigned writers = options.mode == Mode::kWrite ? 8 : 0;
  const size_t run_length = 16;  // see the compiler below
  const size_t window = std::max<size_t>(4 * run_length * jobs, 2 * size_t{writers});
  std::vector<std::optional<Compiled>> slots(work.size());
  std::vector<bool> ready(work.size(), false);
  std::deque<size_t> to_write;
  std::mutex mu;
  // One condition each, woken only when its waiter can move: a wake-up per file for every
  // thread costs more than the work on a clean file.
  std::condition_variable report_cv, window_cv, write_cv;
  size_t next = 0, reported = 0, waiting_for_window = 0;
  bool compiling_done = false;
  auto mark_ready = [&](size_t i) {  // under mu
    ready[i] = true;
    if (i == reported) report_cv.notify_one();
  };
  // Files are claimed a run at a time, and a run's results handed over under one lock: on
  // clean files the hand-over, not the work, would otherwise dominate.
  auto compiler = [&] {
    block_stop_signals_in_this_thread();
    PythonParser parser;
    std::vector<Compiled> done_here;
    for (;;) {
      size_t first, count;
      {
        std::unique_lock lock(mu);
        ++waiting_for_window;
        window_cv.wait(lock, [&] { return next >= work.size() || next < reported + window; });
        --waiting_for_window;
        if (next >= work.size()) return;
        first = next;
        count = std::min({run_length, work.size() - next, reported + window - next});
        next += count;
      }
      done_here.clear();
      for (size_t i = first; i < first + count; ++i) done_here.push_back(compile_job(work[i], cwd, options, compile, parser));
      std::lock_guard lock(mu);
      for (size_t k = 0; k < count; ++k) {
        bool write = done_here[k].needs_write;
        slots[first + k].emplace(std::move(done_here[k]));
        if (write) {
          to_write.push_back(first + k);
          write_cv.notify_one();
        } else {
          mark_ready(first + k);
        }
      }
    }
  };
  auto writer = [&] {
    block_stop_signals_in_this_thread();
    for (;;) {
      size_t i;
      {
        std::unique_lock lock(mu);
        write_cv.wait(lock, [&] { return !to_write.empty() || compiling_done; });
        if (to_write.empty()) return;
        i = to_write.front();
        to_write.pop_front();
      }
      commit(*slots[i]);  // slot i is this thread's alone until it is marked ready
      std::lock_guard lock(mu);
      mark_ready(i);
    }
  };
  std::vector<std::jthread> writing, compiling;
  for (unsigned t = 0; t < writers; ++t) writing.emplace_back(writer);
  for (unsigned t = 0; t < jobs; ++t) compiling.emplace_back(compiler);
  for (size_t i = 0; i < work.size(); ++i) {
    std::unique_lock lock(mu);
    report_cv.wait(lock, [&] { return ready[i]; });
    Compiled c = std::move(*slots[i]);
    slots[i].reset();
    ++reported;
    if (waiting_for_window) window_cv.notify_all();
    lock.unlock();
    c.result.output = std::string();  // written or not needed: free it before reporting
    done(work[i], c.result);
  }
  compiling.clear();
  {
    std::lock_guard lock(mu);
    compiling_done = true;
  }
  write_cv.notify_all();
}

// What the fix command counts of its files, and what it makes of that: the exit status and the
// summary line.
struct Tally {
  size_t changed = 0, unchanged = 0, skipped = 0, failed = 0;

  void add(FileStatus status) {
    switch (status) {
      case FileStatus::kChanged: ++changed; break;
      case FileStatus::kUnchanged: ++unchanged; break;
      case FileStatus::kNotMigration: ++skipped; break;
      case FileStatus::kError: ++failed; break;
    }
  }

  // See fix.h.
  int exit_status(Mode mode) const { return failed ? 2 : (mode != Mode::kWrite && changed) ? 1 : 0; }

  Summary summary(Mode mode) const {
    bool check = mode != Mode::kWrite;
    std::string line = fmt::format("{} {} {}, {} unchanged", changed, changed == 1 ? "file" : "files",
                                   check ? "would be fixed" : "fixed", unchanged);
    if (skipped) line += fmt::format(", {} not migrations", skipped);
    if (failed) line += fmt::format(", {} failed", failed);
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
                               .rules = codes::kAll})),
        mode_(options.mode) {
    printer_->begin();
  }

  void file(std::string_view path, const FileResult& result) {
    tally_.add(result.status);
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
};

// The files the roots name, in path order per root; a root that is not there is reported as it
// is met. `tops` holds one folder per root (see folder_target); jobs point into it.
std::vector<Job> collect_work(const std::vector<Root>& roots, const fs::path& cwd, std::deque<fs::path>& tops,
                              FixReport& report) {
  std::vector<Job> work;
  for (const Root& root : roots) {
    const std::string& p = root.path;  // a plain name: clang 14 cannot capture a structured binding
    if (p == "-") continue;
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      report.file(p, io_failure("no such file or directory"));
      continue;
    }
    std::vector<Found> found;
    if (fs::is_directory(st)) walk(p, found);
    else found.push_back({p, fs::is_symlink(fs::symlink_status(p, ec))});
    if (!root.recursive)
      std::erase_if(found, [&](const Found& f) { return fs::path(f.path).parent_path() != fs::path(p); });
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.path < b.path; });
    const fs::path& top = tops.emplace_back(top_folder(p, fs::is_directory(st), cwd));
    for (auto& f : found) work.push_back({std::move(f.path), f.link, &top});
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
void fix_stdin(const RunOptions& options, const CompileOptions& compile, const fs::path& cwd, FixReport& report) {
  PythonParser parser;
  std::string bytes = read_all(std::cin);
  std::string original = bytes;
  const std::string& name = options.stdin_filename;
  auto folder = name == "-" ? std::nullopt : folder_target(name, top_folder(name, false, cwd), cwd, *compile.maps);
  FileResult result = bytes.size() > static_cast<size_t>(kMaxFileSize)
                          ? io_failure(too_large(bytes.size()).what())
                          : compile_file(name, std::move(bytes), compile, parser, folder);
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
std::optional<std::vector<Root>> roots_to_fix(const RunOptions& options, ProjectConfig& project, const fs::path& cwd) {
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

}  // namespace

int run(const RunOptions& options) {
  std::ios::sync_with_stdio(false);
  std::error_code cwd_ec;
  const fs::path cwd = fs::current_path(cwd_ec);
  ProjectConfig project(cwd, config_reader());
  std::optional<TargetMap> maps = maps_or_say_why(options, project);
  if (!maps) return 2;
  std::optional<std::vector<Root>> roots = roots_to_fix(options, project, cwd);
  if (!roots) return 2;
  CompileOptions compile;
  compile.target = options.target;
  compile.target_from_environment = options.target_from_environment;
  compile.maps = &*maps;
  compile.unknown = options.unknown;
  compile.annotate = options.annotate;
  compile.want_diff = options.mode == Mode::kDiff;
  compile.prefilter = options.prefilter;

  if (options.mode == Mode::kWrite) install_stop_handlers();
  // Past a file size limit (ulimit -f) a write should fail with EFBIG and be reported, not
  // kill the process.
  ::signal(SIGXFSZ, SIG_IGN);
  FixReport report(options);
  std::deque<fs::path> tops;
  std::vector<Job> work = collect_work(*roots, cwd, tops, report);
  if (std::find(options.paths.begin(), options.paths.end(), "-") != options.paths.end())
    fix_stdin(options, compile, cwd, report);

  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(work.size(), 1)));
  run_in_order(work, cwd, jobs, options, compile,
               [&](const Job& job, const FileResult& result) { report.file(job.path, result); });
  return report.finish();
}

}  // namespace alembic_fix
