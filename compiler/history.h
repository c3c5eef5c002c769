// Table ownership from the migration history (issue 11): which target's migrations created each
// table. The versions folder already says who owns what: a table is created by some migration,
// and that migration has a target. A map always wins; the history fills its gaps (a table no map
// lists) and tells a move (a table the map gives to another target that this target's own
// migrations created). Pure: files come in as bytes, through MigrationHistory, read by the driver.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/migration.h"
#include "compiler/source.h"
#include "compiler/syntax.h"
#include "compiler/target_map.h"

namespace alembic_fix {

// One table a migration's upgrade() creates: op.create_table, or the new name of op.rename_table
// (a table renamed by a plant migration is plant's under its new name).
struct HistoryCreate {
  std::string target;
  TableRef table;
  Position at;
};

// What one migration file says for the history.
struct HistoryFile {
  bool migration = false;
  std::string revision;  // empty when not a literal
  std::vector<HistoryCreate> creates;
  bool parsed = false;  // the byte scan could not judge it: for tests and --verbose
};

// What the world outside a history file says of its target: as for a file being fixed
// (compiler/file_target.h), but a disagreement is no error here: the file's own rules win.
struct HistoryHints {
  std::optional<std::string> option;  // --target / $MIGRATION_TARGET
  std::optional<std::string> folder;  // the folder rule's answer for the file
};

// Reads one file: the byte scan (compiler/prefilter.h) where it suffices, else the parser. Only
// upgrade() counts: a downgrade's create_table undoes its upgrade's drop, pollution included.
HistoryFile read_history_file(std::string_view bytes, const TargetMap& maps, const HistoryHints& hints,
                              PythonParser& parser);

// The parser's reading alone, which read_history_file() falls back on: tests hold the scan to it.
HistoryFile parse_history_file(std::string_view bytes, const TargetMap& maps, const HistoryHints& hints,
                               PythonParser& parser);

// The names a file may create, by bytes alone, so a question about one table judges only the
// files that name it: the quoted literals right after each `create_table(` and `rename_table(`.
// `any` when a call's table is not such a literal, so the file must be judged for every table.
struct CreatedNames {
  std::vector<std::string> names;
  bool any = false;
};
CreatedNames created_names(std::string_view bytes);

// Where a table was created: the first migration (in path order) of a target that created it.
struct TableCreation {
  std::string target;
  std::string revision;
  std::string path;  // as the driver names it
  Position at;
};

class TableHistory {
 public:
  // Files may come in any order: creations are kept in path order.
  void add(const std::string& path, const HistoryFile& file);

  // Per target that created the table, its first creation; empty when none did. A migration
  // judged against the history leaves itself out (`except_revision`, its own revision): its own
  // create of another target's table is no history of its target.
  std::vector<const TableCreation*> creations(const TableRef& table, std::string_view except_revision = {}) const;
  // The one target whose migrations created it; nullptr when none or several did (ambiguous:
  // the history does not decide it).
  const TableCreation* sole_creation(const TableRef& table, std::string_view except_revision = {}) const;

  // Every creation of every table, in path order: for `alembic-fix maps --history`.
  const std::map<std::string, std::vector<TableCreation>>& tables() const { return tables_; }
  const std::map<std::string, TableRef>& refs() const { return refs_; }
  size_t files() const { return files_; }
  size_t parsed_files() const { return parsed_files_; }

 private:
  std::map<std::string, std::vector<TableCreation>> tables_;  // qualified name -> every creation
  std::map<std::string, TableRef> refs_;                       // qualified name -> the table
  size_t files_ = 0, parsed_files_ = 0;
};

// The history of the versions folder a file belongs to, read on first use (a file fixed alone,
// the post-write hook, reads nothing unless a drop's table needs it). Implementations are
// thread-safe: several files may ask at once.
class MigrationHistory {
 public:
  virtual ~MigrationHistory() = default;
  // A history that answers for `table` (every file that may create it judged); what it says of
  // other tables may be partial.
  virtual const TableHistory& tables_for(const TableRef& table) = 0;
  // The whole history (maps --history).
  virtual const TableHistory& tables() = 0;
};

}  // namespace alembic_fix
