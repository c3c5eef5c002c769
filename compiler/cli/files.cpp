#include "compiler/cli/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace alembic_fix::files {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Reads `fd` to its end, refusing (without reading on) past kMaxFileSize.
std::string read_to_end(int fd, size_t expected, const std::function<IoError(size_t)>& too_large) {
  std::string bytes;
  bytes.resize(std::min(expected, kMaxFileSize) + 1);  // room for the read that finds the end
  size_t got = 0;
  for (;;) {
    if (got == bytes.size()) {
      if (got > kMaxFileSize) throw too_large(got);
      bytes.resize(std::min(std::max<size_t>(bytes.size() * 2, 4096), kMaxFileSize + 1));
    }
    ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(fmt::format("cannot read: {}", errno_text(errno)));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > kMaxFileSize) throw too_large(got);
  bytes.resize(got);
  return bytes;
}

IoError file_too_large(size_t size) {
  return IoError(fmt::format("{:.1f} MB is more than alembic-fix reads as one migration ({} MiB); left untouched",
                             static_cast<double>(size) / 1e6, kMaxFileSize >> 20));
}

class Descriptor {  // closes on scope exit unless released
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Waits for the exclusive lock on `fd`. False when the filesystem has no locks (some network
// ones): the run goes on unlocked, still refusing to write over a version it did not read.
bool lock_exclusive(int fd, const std::function<void()>& before_waiting) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
  if (errno != EWOULDBLOCK) return false;
  if (before_waiting) before_waiting();
  while (::flock(fd, LOCK_EX) != 0)
    if (errno != EINTR) return false;
  return true;
}

}  // namespace

OpenFile::OpenFile(const std::string& path, Lock lock, const std::function<void()>& before_waiting) {
  std::function<void()> not_yet_told = before_waiting;
  for (;;) {
    Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) throw IoError(fmt::format("cannot open: {}", errno_text(errno)));
    if (::fstat(fd.get(), &info_) != 0) throw IoError(fmt::format("cannot stat: {}", errno_text(errno)));
    if (S_ISDIR(info_.st_mode)) throw IoError("is a directory, expected a file");
    if (!S_ISREG(info_.st_mode)) throw IoError("not a regular file (fifo, socket or device); skipped");
    if (lock == Lock::kNone || !lock_exclusive(fd.get(), std::exchange(not_yet_told, {}))) {
      fd_ = fd.release();
      return;
    }
    // The lock is on the file this run opened. If another run replaced it while this one waited,
    // the name now leads to the new version: lock and read that one instead.
    struct stat now {};
    if (::stat(path.c_str(), &now) == 0 && now.st_dev == info_.st_dev && now.st_ino == info_.st_ino) {
      ::fstat(fd.get(), &info_);  // as it is now that nobody else writes it
      fd_ = fd.release();
      return;
    }
  }
}

OpenFile::OpenFile(OpenFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)), info_(other.info_) {}

OpenFile& OpenFile::operator=(OpenFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    info_ = other.info_;
  }
  return *this;
}

OpenFile::~OpenFile() {
  if (fd_ >= 0) ::close(fd_);  // and with it the lock
}

std::string OpenFile::read() {
  if (static_cast<size_t>(info_.st_size) > kMaxFileSize) throw file_too_large(static_cast<size_t>(info_.st_size));
  return read_to_end(fd_, static_cast<size_t>(info_.st_size), file_too_large);
}

std::string read_stdin() {
  return read_to_end(STDIN_FILENO, 0, [](size_t) {
    return IoError(fmt::format("more than the {} MiB alembic-fix reads as one migration; refused without reading "
                               "the rest, nothing written",
                               kMaxFileSize >> 20));
  });
}

// --- temporary files and signals -------------------------------------------------------------

namespace {

// Temporary files in flight, for the signal handler. Slots, not a container: the handler may
// only read plain memory.
class InFlightTemps {
 public:
  // Claims a slot and creates the temporary file from `pattern` (mkstemp). -1 when a signal has
  // already stopped the run, or on failure (errno set).
  int create(const std::string& pattern, size_t& slot) {
    if (pattern.size() >= sizeof(paths_[0])) {  // longer than any path the system takes
      errno = ENAMETOOLONG;
      return -1;
    }
    for (slot = 0; slot < kMaxTemporaryFiles; ++slot) {
      int free = kFree;
      if (state_[slot].compare_exchange_strong(free, kCreating)) break;
    }
    if (slot == kMaxTemporaryFiles)  // the static_asserts at the writers make this a bug
      throw IoError(fmt::format("internal error: more than {} files written at once", kMaxTemporaryFiles));
    if (stopping_) {  // after claiming: the handler either sees this slot or we see it stopping
      state_[slot] = kFree;
      errno = EINTR;
      return -1;
    }
    std::memcpy(paths_[slot], pattern.c_str(), pattern.size() + 1);
    int fd = ::mkostemp(paths_[slot], O_CLOEXEC);
    state_[slot] = fd < 0 ? kFree : kCreated;
    return fd;
  }
  const char* path(size_t slot) const { return paths_[slot]; }
  void release(size_t slot) { state_[slot] = kFree; }

  // Async-signal-safe: atomics, unlink, write, _exit.
  [[noreturn]] void abandon_and_exit() {
    stopping_ = true;
    for (size_t i = 0; i < kMaxTemporaryFiles; ++i) {
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
  std::atomic<int> state_[kMaxTemporaryFiles]{};
  char paths_[kMaxTemporaryFiles][PATH_MAX]{};
  std::atomic<bool> stopping_{false};
};
InFlightTemps in_flight;

extern "C" void on_stop_signal(int) { in_flight.abandon_and_exit(); }

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

// A temporary file beside `target`, removed on scope exit unless renamed over it.
class TemporaryFile {
 public:
  explicit TemporaryFile(const fs::path& target) {
    std::string name = "." + target.filename().string() + ".alembic-fix-XXXXXX";
    if (name.size() > NAME_MAX) {
      throw IoError(fmt::format("cannot create a temporary file beside it: its name ({} bytes) would be longer than "
                                "a file name may be ({}: {})",
                                name.size(), NAME_MAX, errno_text(ENAMETOOLONG)));
    }
    fd_ = in_flight.create((target.parent_path() / name).string(), slot_);
    if (fd_ < 0) throw IoError(fmt::format("cannot create a temporary file beside it: {}", errno_text(errno)));
  }
  ~TemporaryFile() {
    ::close(fd_);
    if (!renamed_) ::unlink(in_flight.path(slot_));
    in_flight.release(slot_);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  int fd() const { return fd_; }
  void write_all(std::string_view bytes) {
    for (size_t done = 0; done < bytes.size();) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot write the new version");
      done += static_cast<size_t>(n);
    }
  }
  void rename_over(const std::string& path) {
    if (::rename(in_flight.path(slot_), path.c_str()) != 0) fail("cannot replace the file");
    renamed_ = true;
  }
  [[noreturn]] static void fail(std::string_view what) {
    throw IoError(fmt::format("{}: {}; the file is unchanged", what, errno_text(errno)));
  }

 private:
  int fd_ = -1;
  size_t slot_ = 0;
  bool renamed_ = false;
};

bool same_version(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;  // chmod, chown
}

// The other names of a file with hard links that its own folder holds (where they usually are).
std::vector<std::string> names_beside(const fs::path& path, const struct stat& info) {
  std::vector<std::string> names;
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  DIR* dir = ::opendir(folder.c_str());
  if (!dir) return names;
  while (const dirent* entry = ::readdir(dir)) {
    struct stat other {};
    if (entry->d_name != path.filename().string() &&
        ::fstatat(::dirfd(dir), entry->d_name, &other, AT_SYMLINK_NOFOLLOW) == 0 && other.st_dev == info.st_dev &&
        other.st_ino == info.st_ino)
      names.push_back((path.parent_path() / entry->d_name).string());
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// A file with several names (hard links) is refused, not replaced: a rename would silently detach
// the other names from the fixed version, and writing in place would give up the all-or-nothing
// write (a crash could leave half a file) and change a deliberate copy (`cp -al`, a snapshot)
// behind the user's back. Which name should get the fix is the user's call.
void refuse_hard_links(const std::string& path, const struct stat& info) {
  if (info.st_nlink <= 1) return;
  std::vector<std::string> beside = names_beside(path, info);
  size_t elsewhere = info.st_nlink - 1 - std::min<size_t>(beside.size(), info.st_nlink - 1);
  std::string names = fmt::format("{}", fmt::join(beside, ", "));
  if (elsewhere) names += fmt::format("{}{} in other folders", names.empty() ? "" : " and ", elsewhere);
  throw IoError(fmt::format("has {} hard links (also: {}); replacing it would detach them from the fixed version, "
                            "so it is left untouched (fix one name after `cp --remove-destination`, or all by hand)",
                            info.st_nlink, names));
}

// Extended attributes (user.*, and ACLs: system.posix_acl_access) go to the new version; one that
// cannot be set refuses the write rather than losing it. A value the new file already has (an
// SELinux label it inherits from the folder) is not set again.
void copy_extended_attributes(int from, int to) {
  std::string names;
  for (;;) {
    ssize_t size = ::flistxattr(from, nullptr, 0);
    if (size < 0 && (errno == ENOTSUP || errno == ENOSYS)) return;  // the filesystem has none
    if (size < 0) TemporaryFile::fail("cannot list the file's extended attributes");
    if (size == 0) return;
    names.resize(static_cast<size_t>(size));
    size = ::flistxattr(from, names.data(), names.size());
    if (size >= 0) {
      names.resize(static_cast<size_t>(size));
      break;
    }
    if (errno != ERANGE) TemporaryFile::fail("cannot list the file's extended attributes");
  }
  auto value_of = [](int fd, const char* name, std::string& value) {
    for (;;) {
      ssize_t size = ::fgetxattr(fd, name, nullptr, 0);
      if (size < 0) return false;
      value.resize(static_cast<size_t>(size));
      size = ::fgetxattr(fd, name, value.data(), value.size());
      if (size >= 0) {
        value.resize(static_cast<size_t>(size));
        return true;
      }
      if (errno != ERANGE) return false;
    }
  };
  std::string value, existing;
  for (const char* name = names.c_str(); name < names.c_str() + names.size(); name += std::strlen(name) + 1) {
    if (!value_of(from, name, value)) TemporaryFile::fail(fmt::format("cannot read the extended attribute {}", name));
    if (value_of(to, name, existing) && existing == value) continue;
    if (::fsetxattr(to, name, value.data(), value.size(), 0) != 0)
      TemporaryFile::fail(fmt::format("cannot keep the extended attribute {}", name));
  }
}

// After the rename the new name lives in the folder's entries: flushed too, as SQLite does, or
// a crash could bring the old version back. A filesystem that cannot sync a folder says EINVAL.
void flush_folder(const fs::path& path) {
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  Descriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0 && (::fsync(fd.get()) == 0 || errno == EINVAL)) return;
  throw IoError(fmt::format("the new version is in place, but its folder could not be flushed ({}): a crash now "
                            "could bring the old version back",
                            errno_text(errno)));
}

// The owner first (root fixing a user's file must not take it), then the attributes (a chown
// drops security.capability), then the mode (a chown clears set-id bits).
void keep_owner_attributes_and_mode(const TemporaryFile& temp, const OpenFile& original) {
  const struct stat& read_info = original.info();
  struct stat temp_info {};
  if (::fstat(temp.fd(), &temp_info) != 0) TemporaryFile::fail("cannot stat the new version");
  if ((temp_info.st_uid != read_info.st_uid || temp_info.st_gid != read_info.st_gid) &&
      ::fchown(temp.fd(), read_info.st_uid, read_info.st_gid) != 0)
    TemporaryFile::fail("cannot keep the file's owner");
  copy_extended_attributes(original.fd(), temp.fd());
  if (::fchmod(temp.fd(), read_info.st_mode & 07777) != 0) TemporaryFile::fail("cannot keep the file's mode");
}

}  // namespace

void replace(const std::string& path, std::string_view bytes, const OpenFile& original) {
  const fs::path target(path);
  refuse_hard_links(path, original.info());
  {
    TemporaryFile temp(target);
    temp.write_all(bytes);
    keep_owner_attributes_and_mode(temp, original);
    if (::fsync(temp.fd()) != 0) TemporaryFile::fail("cannot flush the new version");
    // Never write over a version this run did not read (an editor; another run on a filesystem
    // without locks).
    struct stat now {};
    if (::stat(path.c_str(), &now) != 0) throw IoError("the file disappeared while it was being fixed; nothing written");
    if (!same_version(now, original.info()))
      throw IoError("the file changed while it was being fixed; the newer version is kept (run again)");
    temp.rename_over(path);
  }
  flush_folder(target);
}

void write(const std::string& path, std::string_view bytes) {
  std::error_code ec;
  fs::path target = path;
  if (fs::is_symlink(fs::symlink_status(path, ec))) {  // the link stays a link
    target = fs::canonical(path, ec);
    if (ec) throw IoError(fmt::format("cannot follow the link: {}", ec.message()));
  }
  struct stat info {};
  if (::stat(target.c_str(), &info) == 0) {
    OpenFile existing(target.string(), OpenFile::Lock::kExclusive);
    replace(target.string(), bytes, existing);
    return;
  }
  {
    TemporaryFile temp(target);
    temp.write_all(bytes);
    if (::fchmod(temp.fd(), 0644) != 0) TemporaryFile::fail("cannot set the file's mode");
    if (::fsync(temp.fd()) != 0) TemporaryFile::fail("cannot flush the new version");
    temp.rename_over(target.string());
  }
  flush_folder(target);
}

void write_unsynced(const std::string& path, std::string_view bytes) {
  fs::path target = path;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) throw IoError(fmt::format("cannot create the folder: {}", ec.message()));
  TemporaryFile temp(target);
  temp.write_all(bytes);
  if (::fchmod(temp.fd(), 0644) != 0) TemporaryFile::fail("cannot set the file's mode");
  temp.rename_over(target.string());
}

std::string own_executable_identity() {
  struct stat info {};
  if (::stat("/proc/self/exe", &info) != 0) return {};
  return fmt::format("{}:{}.{}:{}", info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_ino);
}

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int sig : kStopSignals) ::sigaction(sig, &action, nullptr);
}

// The handler must never interrupt a writer in the middle of claiming a slot it would then wait for.
void block_stop_signals_in_this_thread() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kStopSignals) sigaddset(&set, sig);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

size_t open_file_budget() {
  // Kept for everything else: stdin/out/err, each temporary file and the folder it flushes.
  constexpr size_t kReserved = 32 + 2 * kMaxTemporaryFiles;
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised{limit.rlim_max, limit.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur > kReserved ? static_cast<size_t>(limit.rlim_cur) - kReserved : 1;
}

// --- folders ---------------------------------------------------------------------------------

std::vector<Found> walk_python_files(const fs::path& root) {
  std::vector<Found> files;
  std::set<std::pair<dev_t, ino_t>> visited;
  struct stat info {};
  if (::stat(root.c_str(), &info) == 0) visited.insert({info.st_dev, info.st_ino});
  std::error_code ec;
  fs::recursive_directory_iterator it(
      root, fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied, ec);
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
    if (p.extension() != ".py") continue;
    if (it->is_regular_file(type_ec)) {
      files.push_back({p.string(), it->is_symlink(type_ec)});
    } else if (it->is_symlink(type_ec) && !fs::exists(it->status(type_ec))) {
      // A link to nothing cannot be checked; passed over, it would let a check pass unseen.
      files.push_back({p.string(), true, true});
    }
  }
  return files;
}

ModelFiles::Kind DiskModelFiles::kind(const fs::path& path) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return Kind::kMissing;
  return fs::is_directory(status) ? Kind::kFolder : Kind::kFile;
}

ModelFiles::Read DiskModelFiles::read(const fs::path& path) {
  try {
    return {OpenFile(path.string(), OpenFile::Lock::kNone).read(), {}};
  } catch (const IoError& e) {
    return {std::nullopt, e.what()};
  }
}

std::vector<fs::path> DiskModelFiles::python_files(const fs::path& folder) {
  std::vector<fs::path> out;
  for (auto& found : walk_python_files(folder))
    if (!found.dangling) out.push_back(std::move(found.path));
  return out;
}

fs::path DiskModelFiles::identity(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path : canonical;
}

ConfigReader config_reader() {
  auto read = [](const fs::path& path) {
    try {
      return OpenFile(path.string(), OpenFile::Lock::kNone).read();
    } catch (const IoError& e) {
      throw ConfigError(fmt::format("{}: {}", path.string(), e.what()));
    }
  };
  return {read, [read](const fs::path& path) -> std::optional<std::string> {
            struct stat info {};
            if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
            return read(path);
          }};
}

bool use_color() {
  const char* no_color = std::getenv("NO_COLOR");
  return (!no_color || !*no_color) && ::isatty(STDERR_FILENO);
}

}  // namespace alembic_fix::files
