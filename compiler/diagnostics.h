// What the compiler tells the user: one record per finding, and the formatters that print them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source.h"

namespace alembic_fix {

enum class Severity {
  kFix,      // a change alembic-fix makes (or would make, under --check/--diff)
  kWarning,  // reported, nothing changed for it
  kError,    // the file is left untouched and the run exits 2
};

// A code: its id, its check's name, its severity and its meaning. The README and the man page
// document each (tests/docs_test.cpp checks them against all_codes()).
struct Code {
  std::string_view id;
  std::string_view name;
  Severity severity;
  std::string_view summary;  // one line, for SARIF rule descriptions
  // A warning that means a foreign drop may be left in the file: under --check and --diff it
  // fails the check (exit 1) like a change would, so CI cannot pass over it.
  bool finding = false;
};
namespace codes {
inline constexpr Code kSyntaxError{"AF201", "syntax-error", Severity::kError, "The file does not parse: untouched"};
inline constexpr Code kTargetConflict{"AF202", "target-conflict", Severity::kError,
                                      "The target given disagrees with what the file says: untouched"};
inline constexpr Code kIoError{"AF203", "io-error", Severity::kError,
                               "Missing, unreadable, not a regular file, or could not be written: untouched"};
inline constexpr Code kInternalError{"AF204", "internal-error", Severity::kError,
                                     "The fixed text would not parse or edits overlapped: untouched"};
inline constexpr Code kUnsafeRemoval{"AF205", "unsafe-removal", Severity::kError,
                                     "A statement to remove shares its line with other code: untouched"};
inline constexpr Code kNoTarget{"AF206", "no-target", Severity::kError, "No rule decides the file's target: untouched"};
inline constexpr Code kEncoding{"AF207", "not-utf8", Severity::kError,
                                "Not UTF-8 text (a NUL byte, an invalid byte, another coding cookie): untouched"};
// `alembic-fix maps`: drift between the models and a map, and models that cannot be read.
inline constexpr Code kTableNotInMap{"AF301", "table-not-in-map", Severity::kWarning,
                                     "A model table that no map lists"};
inline constexpr Code kMapTableWithoutModel{"AF302", "map-table-without-model", Severity::kWarning,
                                            "A map table that no model defines"};
inline constexpr Code kTableMoved{"AF303", "table-moved", Severity::kWarning,
                                  "A table the models give to another target than the map"};
inline constexpr Code kModelsSyntaxError{"AF304", "models-syntax-error", Severity::kError,
                                         "A models file does not parse"};
inline constexpr Code kComputedTableName{"AF305", "computed-table-name", Severity::kError,
                                         "A table name computed at run time: cannot be read statically"};
inline constexpr Code kUnfollowedImport{"AF306", "unfollowed-import", Severity::kError,
                                        "An import of the models that cannot be followed"};
inline constexpr Code kModelsIoError{"AF307", "models-io-error", Severity::kError,
                                     "A models path that cannot be read, or a target with no tables"};
// The compiler's own codes and the models front end's. Each pass defines its own codes
// (passes/<pass>.cpp); passes/pass.h's all_codes() is the whole table.
// compiler/dependents.h: what needs a table whose create or drop goes.
inline constexpr Code kDependentStatement{"AF004", "dependent-statement", Severity::kFix,
                                          "A statement on a table whose create or drop was removed: removed with it"};
inline constexpr Code kDependentOwnWork{"AF208", "dependent-own-work", Severity::kError,
                                        "Own work needs a table whose create or drop is removed: untouched"};
// compiler/unused_imports.h: a dialect import only removed statements used.
inline constexpr Code kUnusedDialectImport{"AF005", "unused-dialect-import", Severity::kFix,
                                           "A SQLAlchemy dialect import only removed statements used: removed"};
inline constexpr Code kCompiler[] = {kDependentStatement, kUnusedDialectImport, kDependentOwnWork, kSyntaxError, kTargetConflict,    kIoError,          kInternalError,
                                     kUnsafeRemoval, kNoTarget,        kEncoding,         kTableNotInMap,
                                     kMapTableWithoutModel, kTableMoved, kModelsSyntaxError, kComputedTableName,
                                     kUnfollowedImport, kModelsIoError};
}  // namespace codes

struct Diagnostic {
  Code code;
  Position position;  // line 0: the whole file
  std::string message;
};

enum class OutputFormat { kText, kJson, kGithub, kSarif };

std::string_view severity_name(Severity s);  // "fix", "warning", "error"

// One line per diagnostic: `path:line:col: CODE message`.
std::string format_text(std::string_view path, const Diagnostic& d, bool color);
std::string format_github(std::string_view path, const Diagnostic& d);
// JSON string literal (quotes included).
std::string json_string(std::string_view s);

}  // namespace alembic_fix
