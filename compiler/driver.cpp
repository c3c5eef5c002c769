#include "compiler/driver.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
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

struct Report {
  std::string path;
  FileResult result;
  bool ready = false;
};

class Printer {
 public:
  Printer(const RunOptions& options) : options_(options), color_(use_color()) {}

  void file(const Report& r) {
    for (const auto& d : r.result.diagnostics) {
      if (options_.quiet && d.code.severity == Severity::kFix) continue;
      switch (options_.format) {
        case OutputFormat::kText: std::cerr << format_text(r.path, d, color_); break;
        case OutputFormat::kGithub: std::cout << format_github(r.path, d); break;
        case OutputFormat::kJson: json_items_.push_back(json_item(r.path, d)); break;
      }
    }
    if (!r.result.diff.empty()) std::cout << r.result.diff;
    switch (r.result.status) {
      case FileStatus::kChanged: ++changed_; break;
      case FileStatus::kUnchanged: ++unchanged_; break;
      case FileStatus::kNotMigration: ++skipped_; break;
      case FileStatus::kError: ++failed_; break;
    }
  }

  void summary() {
    if (options_.format == OutputFormat::kJson) {
      std::cout << "[";
      for (size_t i = 0; i < json_items_.size(); ++i) std::cout << (i ? ",\n " : "\n ") << json_items_[i];
      std::cout << (json_items_.empty() ? "]\n" : "\n]\n");
    }
    if (options_.quiet) return;
    bool check = options_.mode != Mode::kWrite;
    std::string line = fmt::format("{} {} {}", changed_, changed_ == 1 ? "file" : "files",
                                   check ? "would be fixed" : "fixed");
    line += fmt::format(", {} unchanged", unchanged_);
    if (skipped_) line += fmt::format(", {} not migrations", skipped_);
    if (failed_) line += fmt::format(", {} failed", failed_);
    std::cerr << "alembic-fix: " << line << ".\n";
  }

  size_t changed() const { return changed_; }
  size_t failed() const { return failed_; }
  void fail() { ++failed_; }

 private:
  static bool use_color() {
    const char* no_color = std::getenv("NO_COLOR");
    return (!no_color || !*no_color) && ::isatty(STDERR_FILENO);
  }
  static std::string json_item(const std::string& path, const Diagnostic& d) {
    std::string_view severity = d.code.severity == Severity::kError     ? "error"
                                : d.code.severity == Severity::kWarning ? "warning"
                                                                        : "fix";
    return fmt::format(R"({{"path": {}, "line": {}, "column": {}, "code": "{}", "name": "{}", "severity": "{}", "message": {}}})",
                       json_string(path), d.position.line, d.position.column, d.code.id, d.code.name, severity,
                       json_string(d.message));
  }
  const RunOptions& options_;
  bool color_;
  std::vector<std::string> json_items_;
  size_t changed_ = 0, unchanged_ = 0, skipped_ = 0, failed_ = 0;
};

FileResult io_failure(std::string message) {
  FileResult r;
  r.status = FileStatus::kError;
  r.diagnostics.push_back({codes::kIoError, {}, std::move(message)});
  return r;
}

// One file from disk to disk. `path` is what the user named (for messages); writes go to the
// symlink's target so the link stays a link.
FileResult process_file(const std::string& path, const RunOptions& options, const CompileOptions& compile,
                        PythonParser& parser) {
  std::error_code ec;
  fs::path real = fs::canonical(path, ec);
  if (ec) return io_failure(fmt::format("{}", ec.message()));
  struct stat info {};
  std::string bytes;
  try {
    bytes = read_file(real.string(), info);
  } catch (const IoError& e) {
    return io_failure(e.what());
  }
  FileResult result;
  try {
    result = compile_file(path, std::move(bytes), compile, parser);
  } catch (const std::exception& e) {
    return io_failure(fmt::format("internal error: {}; the file is left untouched", e.what()));
  }
  if (result.status == FileStatus::kChanged && options.mode == Mode::kWrite) {
    try {
      write_atomically(real.string(), result.output, info);
    } catch (const IoError& e) {
      result.status = FileStatus::kError;
      result.diagnostics.push_back({codes::kIoError, {}, e.what()});
    }
  }
  result.output.clear();
  result.output.shrink_to_fit();
  return result;
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
  compile.maps = &maps;
  compile.unknown = options.unknown;
  compile.annotate = options.annotate;
  compile.want_diff = options.mode == Mode::kDiff;

  Printer printer(options);
  // stdin is a file of its own, written to stdout.
  std::vector<std::string> files;
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
      Report r{p, io_failure("no such file or directory"), true};
      printer.file(r);
      continue;
    }
    std::vector<std::string> found;
    if (fs::is_directory(st)) walk(p, found);
    else found.push_back(p);
    std::sort(found.begin(), found.end());
    for (auto& f : found) {
      // The same file named twice (or through a link) is processed once.
      std::string identity = fs::weakly_canonical(f, ec).string();
      if (seen.insert(ec ? f : identity).second) files.push_back(f);
    }
  }

  if (use_stdin) {
    PythonParser parser;
    std::string bytes = read_all(std::cin);
    std::string original = bytes;
    FileResult result = compile_file(options.stdin_filename, std::move(bytes), compile, parser);
    if (options.mode == Mode::kWrite)
      std::cout << (result.status == FileStatus::kChanged ? result.output : original);
    Report r{options.stdin_filename, std::move(result), true};
    printer.file(r);
  }

  std::vector<Report> reports(files.size());
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(files.size(), 1)));
  auto worker = [&] {
    PythonParser parser;
    for (size_t i = next++; i < files.size(); i = next++) {
      FileResult result = process_file(files[i], options, compile, parser);
      std::lock_guard lock(mu);
      reports[i].path = files[i];
      reports[i].result = std::move(result);
      reports[i].ready = true;
      cv.notify_all();
    }
  };
  std::vector<std::jthread> threads;
  for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker);
  // Print in path order as results arrive, freeing each report once printed.
  for (size_t i = 0; i < files.size(); ++i) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return reports[i].ready; });
    Report r = std::move(reports[i]);
    lock.unlock();
    printer.file(r);
  }
  threads.clear();
  printer.summary();
  std::cout.flush();
  if (printer.failed()) return 2;
  if (options.mode != Mode::kWrite && printer.changed()) return 1;
  return 0;
}

}  // namespace alembic_fix
