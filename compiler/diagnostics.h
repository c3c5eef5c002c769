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

// Every code, its check's name and its meaning, in one table (the README documents the same).
struct Code {
  std::string_view id;
  std::string_view name;
  Severity severity;
  std::string_view summary;  // one line, for SARIF rule descriptions
};
namespace codes {
inline constexpr Code kWrongTargetDrop{"AF001", "wrong-target-drop", Severity::kFix,
                                       "A drop of a table only another target owns: removed"};
inline constexpr Code kMirrorCreate{"AF002", "mirror-downgrade", Severity::kFix,
                                    "A downgrade statement re-creating a table whose drop was removed: removed"};
inline constexpr Code kAnnotate{"AF003", "annotate-target", Severity::kFix,
                                "MIGRATION_TARGET added after the revision identifiers"};
inline constexpr Code kForeignOp{"AF101", "foreign-op", Severity::kWarning,
                                 "Another operation on another target's table: kept, check it is meant"};
inline constexpr Code kUnknownTable{"AF102", "unknown-table", Severity::kWarning,
                                    "A drop of a table that no map lists: kept"};
inline constexpr Code kUnresolvedTable{"AF103", "unresolved-table", Severity::kWarning,
                                       "A drop whose table is not a string literal: kept, never guessed"};
inline constexpr Code kRawSqlDrop{"AF106", "raw-sql-drop", Severity::kWarning,
                                  "Raw SQL drops another target's table or index: never edited, a finding under --check"};
inline constexpr Code kRawSqlForeign{"AF108", "raw-sql-foreign", Severity::kWarning,
                                     "Raw SQL names another target's table: kept, check it is meant"};
inline constexpr Code kUnknownTableError{"AF102", "unknown-table", Severity::kError, kUnknownTable.summary};
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
// One entry per id, for rule lists (SARIF) and documentation.
inline constexpr Code kAll[] = {kWrongTargetDrop, kMirrorCreate,  kAnnotate,      kForeignOp,
                                kUnknownTable,    kUnresolvedTable, kSyntaxError, kTargetConflict,
                                kIoError,         kInternalError, kUnsafeRemoval, kNoTarget,
                                kEncoding};
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
