/* Faults injected into a real alembic-fix run, for tests/reliability: LD_PRELOAD this library
 * and name the fault in ALEMBIC_FIX_FAULT. Only calls on alembic-fix's temporary files
 * (".<name>.alembic-fix-XXXXXX") are touched; everything else passes through.
 *   modify-original   at the temp file's fsync, another writer appends to the original
 *   remove-original   at the temp file's fsync, the original is deleted
 *   rename-fails      renaming the temp file over the original fails with EIO
 *   no-space          writing the temp file fails with ENOSPC
 *   signal            at the third temp-file fsync, the process gets SIGTERM
 *   xattr-fails       setting an extended attribute on the temp file fails with EOPNOTSUPP
 *   parser-gives-up   tree-sitter's ts_parser_parse_string returns no tree (as on a cancelled parse)
 *   trace             nothing fails; each rename and each fsync of a folder is appended, in order,
 *                     to the file ALEMBIC_FIX_TRACE names ("rename FROM TO", "fsync-folder PATH")
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char kMarker[] = ".alembic-fix-";

static int fault_is(const char* name) {
  const char* fault = getenv("ALEMBIC_FIX_FAULT");
  return fault && strcmp(fault, name) == 0;
}

/* The temp file's path from its descriptor, or 0 when fd is not one of ours. */
static int temp_path(int fd, char* out, size_t size) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, size - 1);
  if (n <= 0) return 0;
  out[n] = '\0';
  const char* base = strrchr(out, '/');
  return base && base[1] == '.' && strstr(base, kMarker) != NULL;
}

/* "/d/.name.py.alembic-fix-XXXXXX" -> "/d/name.py" */
static void original_of(const char* temp, char* out, size_t size) {
  const char* base = strrchr(temp, '/');
  size_t dir_len = (size_t)(base - temp) + 1;
  const char* name = base + 2;
  size_t name_len = (size_t)(strstr(name, kMarker) - name);
  snprintf(out, size, "%.*s%.*s", (int)dir_len, temp, (int)name_len, name);
}

/* One line to the trace file, written whole by one write (threads do not interleave). */
static void trace(const char* what, const char* a, const char* b) {
  static ssize_t (*real_write)(int, const void*, size_t);
  if (!real_write) real_write = (ssize_t (*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  const char* file = getenv("ALEMBIC_FIX_TRACE");
  if (!fault_is("trace") || !file) return;
  char line[8300];
  int n = snprintf(line, sizeof line, "%s %s%s%s\n", what, a, b ? " " : "", b ? b : "");
  int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t ignored = real_write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
  (void)ignored;
  close(fd);
}

static void trace_folder_sync(int fd) {
  struct stat info;
  char link[64], path[4096];
  if (fstat(fd, &info) != 0 || !S_ISDIR(info.st_mode)) return;
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = '\0';
  trace("fsync-folder", path, NULL);
}

int fsync(int fd) {
  static int (*real_fsync)(int);
  static atomic_int temp_syncs;
  if (!real_fsync) real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  char temp[4096], original[4096];
  trace_folder_sync(fd);
  if (temp_path(fd, temp, sizeof temp)) {
    original_of(temp, original, sizeof original);
    if (fault_is("modify-original")) {
      int o = open(original, O_WRONLY | O_APPEND);
      if (o >= 0) {
        static const char edit[] = "# edited by someone else meanwhile\n";
        ssize_t ignored = write(o, edit, sizeof edit - 1);
        (void)ignored;
        close(o);
      }
    } else if (fault_is("remove-original")) {
      unlink(original);
    } else if (fault_is("signal") && atomic_fetch_add(&temp_syncs, 1) == 2) {
      kill(getpid(), SIGTERM);
      sleep(1); /* the handler, on another thread, ends the process meanwhile */
    }
  }
  return real_fsync(fd);
}

int rename(const char* from, const char* to) {
  static int (*real_rename)(const char*, const char*);
  if (!real_rename) real_rename = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
  if (fault_is("rename-fails") && strstr(from, kMarker)) {
    errno = EIO;
    return -1;
  }
  int result = real_rename(from, to);
  if (result == 0) trace("rename", from, to);
  return result;
}

ssize_t write(int fd, const void* data, size_t size) {
  static ssize_t (*real_write)(int, const void*, size_t);
  if (!real_write) real_write = (ssize_t (*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
  char temp[4096];
  if (fd > 2 && fault_is("no-space") && temp_path(fd, temp, sizeof temp)) {
    errno = ENOSPC;
    return -1;
  }
  return real_write(fd, data, size);
}

int fsetxattr(int fd, const char* name, const void* value, size_t size, int flags) {
  static int (*real_fsetxattr)(int, const char*, const void*, size_t, int);
  if (!real_fsetxattr) real_fsetxattr = (int (*)(int, const char*, const void*, size_t, int))dlsym(RTLD_NEXT, "fsetxattr");
  char temp[4096];
  if (fault_is("xattr-fails") && temp_path(fd, temp, sizeof temp)) {
    errno = EOPNOTSUPP;
    return -1;
  }
  return real_fsetxattr(fd, name, value, size, flags);
}

struct TSParser;
struct TSTree;
struct TSTree* ts_parser_parse_string(struct TSParser* parser, const struct TSTree* old, const char* text,
                                      unsigned length) {
  static struct TSTree* (*real_parse)(struct TSParser*, const struct TSTree*, const char*, unsigned);
  if (!real_parse)
    real_parse = (struct TSTree * (*)(struct TSParser*, const struct TSTree*, const char*, unsigned))
        dlsym(RTLD_NEXT, "ts_parser_parse_string");
  if (fault_is("parser-gives-up")) return NULL;
  return real_parse(parser, old, text, length);
}
