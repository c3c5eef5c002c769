// One file, bytes in, bytes out: parse, read the Alembic view, decide the target, run the
// passes, splice their edits, and re-parse the result before anyone may write it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/file_target.h"
#include "compiler/history.h"
#include "compiler/syntax.h"
#include "compiler/target_map.h"
#include "compiler/pass_config.h"

namespace alembic_fix {

struct CompileOptions {
  std::optional<std::string> target;  // --target / $MIGRATION_TARGET
  bool target_from_environment = false;
  const TargetMap* maps = nullptr;
  PassConfig passes;  // handed to every pass as it is
  bool want_diff = false;
  bool prefilter = true;  // see compiler/prefilter.h
};

enum class FileStatus { kNotMigration, kUnchanged, kChanged, kError };

struct FileResult {
  FileStatus status = FileStatus::kUnchanged;
  std::string output;  // the whole new file, when kChanged
  std::string diff;    // when kChanged and want_diff
  std::string target;  // the target the file was cleaned for
  TargetRule target_rule = TargetRule::kOption;  // which rule decided it
  std::string target_evidence;
  bool prefiltered = false;  // decided clean by the byte scan, never parsed
  std::vector<Diagnostic> diagnostics;
  bool has_error() const { return status == FileStatus::kError; }
};

// `folder_target`: the nearest enclosing folder named after a target (compiler/cli/target_folder
// finds it; the pure compiler never looks at folders).
// `history`: the migration history of the file's versions folder (compiler/history.h), or null.
FileResult compile_file(std::string_view display_path, std::string bytes, const CompileOptions& options,
                        PythonParser& parser, std::optional<std::string> folder_target = std::nullopt,
                        MigrationHistory* history = nullptr);

}  // namespace alembic_fix
