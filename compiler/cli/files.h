// The filesystem, for both commands (fix and maps): reading a file, replacing one atomically,
// walking a folder for *.py, and removing temporary files when a signal stops the run. No other
// code opens, writes or lists a file, so every guarantee below holds everywhere.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/cli/config.h"
#include "compiler/models/project.h"

namespace alembic_fix::files {

// What went wrong, said for the user (the caller adds the path).
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A migration is kilobytes; a file of many megabytes is not one, and its tree would take
// gigabytes (a 50 MB file: 6 GB and 45 s). Refused, untouched; stdin is not read past it.
inline constexpr size_t kMaxFileSize = 16 << 20;

// How many temporary files can be in flight at once: the signal handler's table of them is fixed
// (it may only read plain memory). A command writing from N threads needs N slots; see
// static_asserts at the writers.
inline constexpr size_t kMaxTemporaryFiles = 64;

// A regular file, open for reading. Fifos, sockets and devices are refused without blocking (a
// fifo would wait for a writer, /dev/zero never ends). With Lock::kExclusive the file is held
// under an advisory lock (flock) until this object goes: two alembic-fix runs replacing the same
// file take turns from read to rename instead of the second finding it changed under it.
class OpenFile {
 public:
  enum class Lock { kNone, kExclusive };
  // `before_waiting` runs once, only if another process holds the lock, before this one waits for
  // it: a caller holding other locks hands them on there, so two runs never wait on each other.
  OpenFile(const std::string& path, Lock lock, const std::function<void()>& before_waiting = {});
  OpenFile(OpenFile&& other) noexcept;
  OpenFile& operator=(OpenFile&& other) noexcept;
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  ~OpenFile();

  // The whole file; IoError past kMaxFileSize.
  std::string read();
  const struct stat& info() const { return info_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  struct stat info_ {};
};

// All of standard input, or IoError as soon as it passes kMaxFileSize (the rest is not read).
std::string read_stdin();

// Replaces `path` with `bytes` as `original` (open, and locked if others may write) was read: a
// temporary file beside it, fsync, rename, fsync of the folder, so a crash leaves the old version
// or the new one. The new version keeps the owner, mode, extended attributes and ACLs. Refused
// (IoError, nothing written) when the file changed or went since it was read, or has hard links.
void replace(const std::string& path, std::string_view bytes, const OpenFile& original);

// The same for a file that may not exist yet (a map written with -o): a new one gets mode 0644.
void write(const std::string& path, std::string_view bytes);

// The same without the fsyncs, creating missing folders: for a file whose loss costs only time
// (the result cache, compiler/cli/cache.h). Two writers at once: the last rename wins.
void write_unsynced(const std::string& path, std::string_view bytes);

// What tells this binary from another build of it: /proc/self/exe's size and modification time.
std::string own_executable_identity();

// On SIGINT, SIGTERM or SIGHUP: remove the temporary files in flight and exit 2, so an
// interrupted run leaves each file either as it was or fully replaced. Threads that write call
// block_stop_signals_in_this_thread() so the handler runs on the main thread only.
void install_stop_handlers();
void block_stop_signals_in_this_thread();

// Raises the limit of open files as far as allowed and returns how many a command may hold open
// at once (a locked file stays open until it is replaced), leaving room for the writers' own.
size_t open_file_budget();

// Every *.py below `root`: hidden folders and __pycache__ are not entered, a folder reached twice
// through symlinks is walked once, and fifos or devices named *.py are passed over. A *.py symlink
// to nothing is found, marked dangling: the caller names it. Unsorted.
struct Found {
  std::string path;
  bool link = false;      // the name is a symlink: writes go to its target
  bool dangling = false;  // a symlink whose target is not there (or cannot be reached)
};
std::vector<Found> walk_python_files(const std::filesystem::path& root);

// The models front end's files (compiler/models/project.h), read from the disk as above.
class DiskModelFiles : public ModelFiles {
 public:
  Kind kind(const std::filesystem::path& path) override;
  Read read(const std::filesystem::path& path) override;
  std::vector<std::filesystem::path> python_files(const std::filesystem::path& folder) override;
  std::filesystem::path identity(const std::filesystem::path& path) override;
};

// Configuration files (compiler/cli/config.h) come through the same reader as migrations: a fifo
// or a huge file named as a map is refused the same way.
ConfigReader config_reader();

// Colour on stderr: a terminal, and NO_COLOR unset or empty.
bool use_color();

}  // namespace alembic_fix::files
