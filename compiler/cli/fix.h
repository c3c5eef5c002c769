// Many files: finds them, runs the pipeline on each (in parallel), writes results atomically,
// hands each file's diagnostics in path order to the printer of --format, and decides the exit
// code (the printer only prints it). Files are read and written through compiler/cli/files.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "passes/pass.h"

namespace alembic_fix {

enum class Mode { kWrite, kCheck, kDiff };

struct RunOptions {
  std::vector<std::string> paths;  // none: the version locations of the Alembic configuration
  std::optional<std::string> alembic_config;  // -c/--config, else $ALEMBIC_CONFIG: read when no PATH is given
  Mode mode = Mode::kWrite;
  std::optional<std::string> target;
  bool target_from_environment = false;  // it came from $MIGRATION_TARGET, not --target
  std::optional<std::string> maps_file;
  UnknownPolicy unknown = UnknownPolicy::kKeep;
  bool annotate = true;
  bool quiet = false;
  bool verbose = false;     // say which rule decided each file's target
  bool statistics = false;  // a count per code instead of each diagnostic
  bool prefilter = true;    // skip the parse of files a byte scan proves clean
  bool history = true;      // ownership from the migration history (--no-history turns it off)
  std::optional<std::string> cache_dir;  // the result cache's folder (compiler/cli/cache.h); nullopt: --no-cache
  unsigned jobs = 0;  // 0: one per core
  OutputFormat format = OutputFormat::kText;
  std::string stdin_filename = "-";
};

// Exit status: 0 nothing left to fix, 1 changes found under --check/--diff, 2 any error.
int run(const RunOptions& options);

}  // namespace alembic_fix
