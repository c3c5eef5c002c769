#include <doctest/doctest.h>

#include "compiler/sql_text.h"

using namespace alembic_fix;
using Names = std::vector<std::string>;

TEST_CASE("SQL: the tables a DROP TABLE drops, lists and IF EXISTS included") {
  SqlWords w = read_sql("DROP TABLE IF EXISTS hq_users, \"HQ_Plants\" CASCADE; UPDATE stations SET a = 1");
  CHECK(w.dropped_tables == Names{"hq_users", "HQ_Plants"});
  CHECK(w.dropped_indexes.empty());
  CHECK_FALSE(w.drops_other);
}

TEST_CASE("SQL: DROP INDEX, schema-qualified names, case folded") {
  SqlWords w = read_sql("drop index concurrently if exists Reporting.IX_Report_Job_Status");
  CHECK(w.dropped_indexes == Names{"reporting.ix_report_job_status"});
  CHECK(w.names == Names{"drop", "index", "concurrently", "if", "exists", "reporting.ix_report_job_status",
                         "ix_report_job_status"});
}

TEST_CASE("SQL: names in string literals and comments are data, not references") {
  SqlWords w = read_sql("INSERT INTO stations (name) VALUES ('hq_users') -- hq_plants\n/* report_job */");
  CHECK(w.names == Names{"insert", "into", "stations", "name", "values"});
  CHECK(w.dropped_tables.empty());
}

TEST_CASE("SQL: other DROPs are noticed, not read") {
  CHECK(read_sql("DROP TYPE status_enum").drops_other);
  CHECK_FALSE(read_sql("ALTER TABLE t DROP COLUMN c").dropped_tables.size());
}

TEST_CASE("SQL: a DROP TYPE or CREATE TYPE statement, by its words") {
  CHECK(read_sql("DROP TYPE IF EXISTS status_enum").type_statement);
  CHECK(read_sql("create  /* the enum */\n  type status AS ENUM ('a', 'b')").type_statement);
  CHECK_FALSE(read_sql("SELECT 'drop type x' -- create type y").type_statement);  // data and comments
  CHECK_FALSE(read_sql("DROP TABLE types").type_statement);
}

TEST_CASE("SQL: the table each statement writes to") {
  CHECK(read_sql("INSERT INTO hq_plants (id) VALUES (1); UPDATE ONLY hq_plants SET a = 1;").statement_targets ==
        Names{"hq_plants", "hq_plants"});
  CHECK(read_sql("CREATE UNIQUE INDEX ix ON hq.plants (code)").statement_targets == Names{"hq.plants"});
  CHECK(read_sql("delete from t where x in (select id from hq_users)").statement_targets == Names{"t"});
  CHECK(read_sql("ALTER TABLE IF EXISTS ONLY t ADD COLUMN c int").statement_targets == Names{"t"});
  CHECK(read_sql("SELECT 1").statement_targets == Names{""});
}
