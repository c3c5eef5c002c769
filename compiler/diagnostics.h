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
};
namespace codes {
inline constexpr Code kWrongTargetDrop{"AF001", "wrong-target-drop", Severity::kFix};
inline constexpr Code kMirrorCreate{"AF002", "mirror-downgrade", Severity::kFix};
inline constexpr Code kAnnotate{"AF003", "annotate-target", Severity::kFix};
inline constexpr Code kForeignOp{"AF101", "foreign-op", Severity::kWarning};
inline constexpr Code kUnknownTable{"AF102", "unknown-table", Severity::kWarning};
inline constexpr Code kUnresolvedTable{"AF103", "unresolved-table", Severity::kWarning};
inline constexpr Code kUnknownTableError{"AF102", "unknown-table", Severity::kError};
inline constexpr Code kSyntaxError{"AF201", "syntax-error", Severity::kError};
inline constexpr Code kTargetConflict{"AF202", "target-conflict", Severity::kError};
inline constexpr Code kIoError{"AF203", "io-error", Severity::kError};
inline constexpr Code kInternalError{"AF204", "internal-error", Severity::kError};
inline constexpr Code kUnsafeRemoval{"AF205", "unsafe-removal", Severity::kError};
inline constexpr Code kNoTarget{"AF206", "no-target", Severity::kError};
// `alembic-fix maps`: drift between the models and a map, and models that cannot be read.
inline constexpr Code kTableNotInMap{"AF301", "table-not-in-map", Severity::kWarning};
inline constexpr Code kMapTableWithoutModel{"AF302", "map-table-without-model", Severity::kWarning};
inline constexpr Code kTableMoved{"AF303", "table-moved", Severity::kWarning};
inline constexpr Code kModelsSyntaxError{"AF304", "models-syntax-error", Severity::kError};
inline constexpr Code kComputedTableName{"AF305", "computed-table-name", Severity::kError};
inline constexpr Code kUnfollowedImport{"AF306", "unfollowed-import", Severity::kError};
inline constexpr Code kModelsIoError{"AF307", "models-io-error", Severity::kError};
}  // namespace codes

struct Diagnostic {
  Code code;
  Position position;  // line 0: the whole file
  std::string message;
};

struct FileReport;  // driver.h
enum class OutputFormat { kText, kJson, kGithub };

// One line per diagnostic: `path:line:col: CODE message`.
std::string format_text(std::string_view path, const Diagnostic& d, bool color);
std::string format_github(std::string_view path, const Diagnostic& d);
// JSON string literal (quotes included).
std::string json_string(std::string_view s);

}  // namespace alembic_fix
