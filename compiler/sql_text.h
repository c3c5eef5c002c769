// Raw SQL passed to op.execute, read as words. alembic-fix never edits SQL: it only reads which
// tables a statement names and which it drops, to report SQL that touches another target.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace alembic_fix {

struct SqlWords {
  // Every identifier as the database sees it: unquoted ones lower-cased (PostgreSQL, SQLite and
  // MySQL compare them so), quoted ones as written; `a.b` gives both `a.b` and `b`.
  std::vector<std::string> names;
  // The objects after DROP TABLE / DROP INDEX (IF EXISTS, CONCURRENTLY skipped), same spelling.
  std::vector<std::string> dropped_tables;
  std::vector<std::string> dropped_indexes;
  bool drops_other = false;  // DROP TYPE, SEQUENCE, VIEW, SCHEMA...: named in reports, not read
  bool type_statement = false;  // a DROP TYPE or CREATE TYPE (passes/foreign_type.cpp reads those)
  // Per `;`-separated statement, the table it writes to when it is data or index work on one
  // table (INSERT INTO t, UPDATE t, DELETE FROM t, CREATE INDEX ... ON t, ALTER TABLE t, DROP TABLE t),
  // else "".
  std::vector<std::string> statement_targets;
};

SqlWords read_sql(std::string_view sql);

}  // namespace alembic_fix
