#include "compiler/driver.h"

#include <fcntl.h>
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
#include <toml++/toml.h>

#include "compiler/models_driver.h"
#include "compiler/pipeline.h"
#include "compiler/report.h"

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string errno_text(int err) { return std::strerror(err); }

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
  std::string bytes;
  bytes.resize(static_cast<size_t>(info.st_size));
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

bool same_version(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

// Temp file beside the target, fsync, rename: a crash leaves the old file or the new one, never
// half of one. The target must still be the version that was read.
void write_atomically(const std::string& path, const std::string& bytes, const struct stat& read_info) {
  fs::path target(path);
  std::string temp = (target.parent_path() / ("." + target.filename().string() + ".alembic-fix-XXXXXX")).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) throw IoError(fmt::format("cannot create a temporary file beside it: {}", errno_text(errno)));
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    throw IoError(fmt::format("{}: {}; the file is unchanged", what, errno_text(err)));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write the new version");
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, read_info.st_mode & 07777) != 0) fail("cannot keep the file's mode");
  if (::fsync(fd) != 0) fail("cannot flush the new version");
  struct stat now {};
  if (::stat(path.c_str(), &now) != 0 || !same_version(now, read_info)) {
    errno = EAGAIN;
    ::close(fd);
    ::unlink(temp.c_str());
    throw IoError("the file changed while it was being fixed; not written (run again)");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot replace the file");
  ::close(fd);
}

// Migrations are *.py files; caches and hidden folders are never walked, and a folder reached
// twice through symlinks is walked once.
void walk(const fs::path& root, std::vector<std::string>& files) {
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
    if (p.extension() == ".py" && it->is_regular_file(type_ec)) files.push_back(p.string());
  }
}

// --maps, else [tool.alembic-fix] in the nearest pyproject.toml above the working directory
// (as ruff and black find their settings), else the built-in map.
TargetMap load_maps(const std::optional<std::string>& maps_file) {
  auto read_text = [](const std::string& path) {
    struct stat info {};
    try {
      return read_file(path, info);
    } catch (const IoError& e) {
      throw MapError(fmt::format("{}: {}", path, e.what()));
    }
  };
  if (maps_file) return TargetMap::parse(read_text(*maps_file), *maps_file);
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
    fs::path pyproject = dir / "pyproject.toml";
    if (fs::is_regular_file(pyproject, ec)) {
      std::string text = read_text(pyproject.string());
      toml::table doc;
      try {
        doc = toml::parse(text, pyproject.string());
      } catch (const toml::parse_error& e) {
        throw MapError(fmt::format("{}: invalid TOML: {}", pyproject.string(), e.description()));
      }
      if (auto section = doc.at_path("tool.alembic-fix"); section.is_table()) {
        if (section["models"].is_table()) return map_from_pyproject_models(pyproject, *section.as_table());
        if (auto maps = section["maps"].value<std::string>()) {
          fs::path path = dir / *maps;
          return TargetMap::parse(read_text(path.string()), path.string());
        }
        return TargetMap::parse(text, pyproject.string(), "tool.alembic-fix");
      }
    }
    if (dir == dir.root_path()) break;
  }
  return TargetMap::builtin();
}

FileResult io_failure(std::string message) {
  FileResult r;
  r.status = FileStatus::kError;
  r.diagnostics.push_back({codes::kIoError, {}, std::move(message)});
  return r;
}

// The nearest folder named after a target, from the file's own folder up to the folder the user
// named (for a file argument, its own folder): `versions/plant/` decides, `/home/hq/` does not.
std::optional<std::string> folder_target(const std::string& file, const std::string& root, const TargetMap& maps) {
  std::error_code ec;
  fs::path dir = fs::absolute(file, ec).lexically_normal().parent_path();
  fs::path top = fs::absolute(root, ec).lexically_normal();
  if (fs::is_directory(top, ec) == false || top == fs::absolute(file, ec).lexically_normal()) top = dir;
  if (!top.has_filename()) top = top.parent_path();  // "versions/" -> "versions"
  for (; !dir.empty(); dir = dir.parent_path()) {
    if (maps.has_target(dir.filename().string())) return dir.filename().string();
    if (dir == top || dir == dir.root_path()) break;
  }
  return std::nullopt;
}

struct Job {
  std::string path;  // as found: what messages name
  std::string root;  // the PATH argument it was found under
};

// One file read and compiled; what is left to do is the write, if any.
struct Compiled {
  FileResult result;
  std::string real_path;  // the symlink's target: the link stays a link
  struct stat read_info {};
  bool needs_write = false;
};

Compiled compile_job(const Job& job, const RunOptions& options, const CompileOptions& compile, PythonParser& parser) {
  Compiled out;
  std::error_code ec;
  fs::path real = fs::canonical(job.path, ec);
  if (ec) {
    out.result = io_failure(fmt::format("{}", ec.message()));
    return out;
  }
  out.real_path = real.string();
  std::string bytes;
  try {
    bytes = read_file(out.real_path, out.read_info);
  } catch (const IoError& e) {
    out.result = io_failure(e.what());
    return out;
  }
  try {
    out.result = compile_file(job.path, std::move(bytes), compile, parser, folder_target(job.path, job.root, *compile.maps));
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
void run_in_order(const std::vector<Job>& work, unsigned jobs, const RunOptions& options,
                  const CompileOptions& compile, Done done) {
  const unsigned writers = options.mode == Mode::kWrite ? 8 : 0;
  const size_t window = std::max<size_t>(8 * size_t{jobs}, 2 * size_t{writers});
  std::vector<std::optional<Compiled>> slots(work.size());
  std::vector<bool> ready(work.size(), false);
  std::deque<size_t> to_write;
  std::mutex mu;
  std::condition_variable cv;
  size_t next = 0, reported = 0;
  bool compiling_done = false;
  auto compiler = [&] {
    PythonParser parser;
    for (;;) {
      size_t i;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return next >= work.size() || next < reported + window; });
        if (next >= work.size()) return;
        i = next++;
      }
      Compiled c = compile_job(work[i], options, compile, parser);
      std::lock_guard lock(mu);
      bool write = c.needs_write;
      slots[i].emplace(std::move(c));
      if (write) to_write.push_back(i);
      else ready[i] = true;
      cv.notify_all();
    }
  };
  auto writer = [&] {
    for (;;) {
      size_t i;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !to_write.empty() || compiling_done; });
        if (to_write.empty()) return;
        i = to_write.front();
        to_write.pop_front();
      }
      commit(*slots[i]);  // slot i is this thread's alone until it is marked ready
      std::lock_guard lock(mu);
      ready[i] = true;
      cv.notify_all();
    }
  };
  std::vector<std::jthread> writing, compiling;
  for (unsigned t = 0; t < writers; ++t) writing.emplace_back(writer);
  for (unsigned t = 0; t < jobs; ++t) compiling.emplace_back(compiler);
  for (size_t i = 0; i < work.size(); ++i) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return ready[i]; });
    Compiled c = std::move(*slots[i]);
    slots[i].reset();
    ++reported;
    cv.notify_all();
    lock.unlock();
    c.result.output = std::string();  // written or not needed: free it before reporting
    done(work[i], c.result);
  }
  compiling.clear();
  {
    std::lock_guard lock(mu);
    compiling_done = true;
  }
  cv.notify_all();
}

}  // namespace

int run(const RunOptions& options) {
  std::ios::sync_with_stdio(false);
  TargetMap maps;
  try {
    maps = load_maps(options.maps_file);
  } catch (const MapError& e) {
    std::cerr << "alembic-fix: error: " << e.what() << "\n";
    return 2;
  }
  if (options.target && !maps.has_target(*options.target)) {
    std::cerr << fmt::format("alembic-fix: error: unknown target \"{}\" (known: {}; from {})\n", *options.target,
                             maps.target_names(), maps.origin());
    return 2;
  }
  CompileOptions compile;
  compile.target = options.target;
  compile.target_from_environment = options.target_from_environment;
  compile.maps = &maps;
  compile.unknown = options.unknown;
  compile.annotate = options.annotate;
  compile.want_diff = options.mode == Mode::kDiff;
  compile.prefilter = options.prefilter;

  Reporter reporter(options);
  reporter.begin();
  std::vector<Job> work;
  std::set<std::string> seen;
  bool use_stdin = false;
  for (const auto& p : options.paths) {
    if (p == "-") {
      use_stdin = true;
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      reporter.file(p, io_failure("no such file or directory"));
      continue;
    }
    std::vector<std::string> found;
    if (fs::is_directory(st)) walk(p, found);
    else found.push_back(p);
    std::sort(found.begin(), found.end());
    for (auto& f : found) {
      // The same file named twice (or through a link) is processed once.
      std::string identity = fs::weakly_canonical(f, ec).string();
      if (seen.insert(ec ? f : identity).second) work.push_back({std::move(f), p});
    }
  }

  // stdin is a file of its own, written to stdout.
  if (use_stdin) {
    PythonParser parser;
    std::string bytes = read_all(std::cin);
    std::string original = bytes;
    const std::string& name = options.stdin_filename;
    auto folder = name == "-" ? std::nullopt : folder_target(name, name, maps);
    FileResult result = compile_file(name, std::move(bytes), compile, parser, folder);
    if (options.mode == Mode::kWrite)
      std::cout << (result.status == FileStatus::kChanged ? result.output : original);
    reporter.file(name, result);
  }

  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(work.size(), 1)));
  run_in_order(work, jobs, options, compile,
               [&](const Job& job, const FileResult& result) { reporter.file(job.path, result); });
  return reporter.finish();
}

}  // namespace alembic_fix
