#include <doctest/doctest.h>

#include <algorithm>

#include "compiler/prefilter.h"
#include "tests/fix_for_test.h"

using namespace alembic_fix;
using alembic_fix::testing::has_code;

namespace {

const std::string kClean = R"("""add tickets.priority

Revision ID: a1
Revises: 
Create Date: 2026-11-20 10:12:03.123456

Don't "guess" anything.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1'
down_revision = None
branch_labels = None
depends_on = None
MIGRATION_TARGET = "plant"


def upgrade():
    op.add_column('tickets', sa.Column('priority', sa.Integer(), nullable=True))  # a 'comment'
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('legacy')


def downgrade():
    op.drop_index(op.f('ix_tickets_priority'), table_name='tickets')
    op.drop_column('tickets', 'priority')
    op.drop_table('dead_letter')
)";

std::optional<std::string> scan(const std::string& text, std::optional<std::string> option = {},
                                std::optional<std::string> folder = {}) {
  static const TargetMap maps = TargetMap::builtin();
  return proven_clean(text, maps, {option, false, folder});
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

// kClean's tables, and a schema pattern: "reporting" is hq's, so a schema can change an owner.
const TargetMap& schema_map() {
  static const TargetMap maps = TargetMap::parse(R"([targets.plant]
tables = ["tickets", "stations", "dead_letter"]
[targets.hq]
tables = ["hq_*", "reporting.*"]
)", "test");
  return maps;
}

// The whole pipeline, as the CLI runs it on a file in the folder `folder`.
FileResult compile(const std::string& text, bool prefilter, std::optional<std::string> folder = "plant",
                   std::optional<std::string> option = {}, bool want_diff = true) {
  static const TargetMap maps = TargetMap::builtin();
  static PythonParser parser;
  CompileOptions options;
  options.target = option;
  options.maps = &maps;
  options.passes.annotate.enabled = true;
  options.want_diff = want_diff;
  options.prefilter = prefilter;
  return compile_file("versions/plant/m.py", text, options, parser, folder);
}

// The scan's result is the full pipeline's, byte for byte, diagnostics and target included.
void check_same_as_parsed(const std::string& text, std::optional<std::string> folder = "plant",
                          std::optional<std::string> option = {}) {
  FileResult full = compile(text, false, folder, option), scanned = compile(text, true, folder, option);
  CHECK(scanned.prefiltered);
  CHECK_FALSE(full.prefiltered);
  CHECK(static_cast<int>(scanned.status) == static_cast<int>(full.status));
  CHECK(scanned.output == full.output);
  CHECK(scanned.diff == full.diff);
  CHECK(scanned.target == full.target);
  CHECK(rule_name(scanned.target_rule) == rule_name(full.target_rule));
  CHECK(scanned.target_evidence == full.target_evidence);
  REQUIRE(scanned.diagnostics.size() == full.diagnostics.size());
  for (size_t i = 0; i < full.diagnostics.size(); ++i) {
    CHECK(scanned.diagnostics[i].code.id == full.diagnostics[i].code.id);
    CHECK(scanned.diagnostics[i].position.line == full.diagnostics[i].position.line);
    CHECK(scanned.diagnostics[i].position.column == full.diagnostics[i].position.column);
    CHECK(scanned.diagnostics[i].message == full.diagnostics[i].message);
  }
}

const std::string kUnannotated = with(kClean, "MIGRATION_TARGET = \"plant\"\n", "");

}  // namespace

TEST_CASE("an annotated file whose drops are all its own is proven clean, and really is") {
  CHECK(scan(kClean) == "plant");
  CHECK(scan(kClean, "plant", "plant") == "plant");
  auto full = testing::fix(kClean, "plant", true);
  CHECK(full.status == FileStatus::kUnchanged);
  CHECK(full.diagnostics.empty());
}

TEST_CASE("anything that might need the full pipeline is parsed") {
  CHECK_FALSE(scan(with(kClean, "MIGRATION_TARGET = \"plant\"\n", "")));                 // not annotated
  CHECK_FALSE(scan(kClean, "hq"));                                                         // --target disagrees
  CHECK_FALSE(scan(kClean, {}, "hq"));                                                     // folder disagrees
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'hq_users'")));                          // a foreign drop
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'widgets'")));                           // an unknown drop
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "name")));                                // unresolved
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "*names")));                              // a splat
  CHECK_FALSE(scan(with(kClean, "'stations'", "'hq_plants'")));                            // a foreign batch
  CHECK_FALSE(scan(with(kClean, "'tickets', sa.", "'hq_users', sa.")));                    // a foreign create
  CHECK_FALSE(scan(with(kClean, "branch_labels = None", "branch_labels = ('hq',)")));     // labels disagree
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'hq\\x5fusers'")));                      // an escape
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'stop_reason' '_daily'")));              // concatenation
  CHECK_FALSE(scan(with(kClean, "def downgrade():\n", "def downgrade():\n    x = f\"{d[\"k\"]}\"\n")));  // PEP 701
  CHECK_FALSE(scan(with(kClean, "def upgrade():", "def upgrade_plant():")));               // multidb
  CHECK_FALSE(scan(kClean + "# MIGRATION_TARGET = \"hq\"\n"));                              // two annotations
  CHECK_FALSE(scan(with(kClean, "revision = 'a1'", "rev = 'a1'")));                        // not a migration
  CHECK_FALSE(scan(with(kClean, "Don't", "Don\xff")));                                     // not UTF-8
  CHECK_FALSE(scan(with(kClean, "Don't", "Don\xf4\x9b\x9a\x99")));                         // above U+10FFFF
  CHECK_FALSE(scan("# -*- coding: latin-1 -*-\n" + kClean));                                // a coding cookie
  CHECK_FALSE(scan(with(kClean, "'priority')\n", "'priority)\n")));                        // unterminated
}

TEST_CASE("a positional schema of None is no schema, and the full pipeline agrees") {
  std::string text = with(kClean, "'dead_letter'", "'dead_letter', None");
  CHECK(scan(text) == "plant");
  CHECK(testing::fix(text, "plant", true).diagnostics.empty());
}

TEST_CASE("a long literal a glob gives to another target is seen, however long") {
  static const TargetMap maps = TargetMap::parse(
      "[targets.plant]\ntables = [\"tickets\", \"stations\", \"dead_letter\"]\n[targets.hq]\ntables = [\"hq_*\"]\n", "test");
  std::string text = with(kClean, "'dead_letter')\n", "'dead_letter')\n    op.create_table('hq_" + std::string(200, 'x') + "')\n");
  CHECK_FALSE(proven_clean(text, maps, {}));
  CHECK(testing::has_code(testing::fix(text, "plant", true, UnknownPolicy::kKeep, &maps), "AF101"));
}

TEST_CASE("a line after an unfinished one starts no statement") {
  // tree-sitter reads `bic.` + newline + `revision = ...` as one assignment to bic.revision.
  CHECK_FALSE(scan(with(kClean, "revision = 'a1'", "bic.\nrevision = 'a1'")));
  CHECK_FALSE(scan(with(kClean, "MIGRATION_TARGET = \"plant\"", "x = 1 +\nMIGRATION_TARGET = \"plant\"")));
}

TEST_CASE("an annotation inside a string or a bracket is no annotation") {
  CHECK_FALSE(scan(with(kClean, "MIGRATION_TARGET = \"plant\"\n", "x = \"\"\"\nMIGRATION_TARGET = \"plant\"\n\"\"\"\n")));
  CHECK_FALSE(scan(with(kClean, "MIGRATION_TARGET = \"plant\"\n", "x = (\nMIGRATION_TARGET == \"plant\")\n")));
}

TEST_CASE("a foreign enum type's create or drop outside a table is parsed, and the pipeline reports it") {
  // The type is known foreign only through a table of the file that uses it: that literal is seen.
  std::string typed = with(kClean, "    op.drop_table('dead_letter')\n",
                           "    op.drop_table('dead_letter')\n"
                           "    op.add_column('hq_users', sa.Column('tier', sa.Enum('a', name='hq_tier')))\n"
                           "    sa.Enum(name='hq_tier').drop(op.get_bind())\n");
  CHECK_FALSE(scan(typed));
  auto full = testing::fix(typed, "plant", true);
  bool reported = std::any_of(full.diagnostics.begin(), full.diagnostics.end(),
                              [](const Diagnostic& d) { return d.code.id == "AF110"; });
  CHECK(reported);
}

TEST_CASE("a schema is judged by the parser when a map pattern names one") {
  auto refused = [](const std::string& text) { return !proven_clean(text, schema_map(), {}); };
  CHECK(proven_clean(kClean, schema_map(), {}) == "plant");
  CHECK(refused(with(kClean, "'dead_letter'", "'dead_letter', schema='x'")));                // a schema
  CHECK(refused(with(kClean, "'dead_letter'", "'dead_letter', 'reporting'")));               // a positional schema
  CHECK(refused(with(kClean, "table_name='tickets'", "'tickets', 'reporting'")));            // on a drop_index
  CHECK(refused(with(kClean, "nullable=True))  #", "nullable=True), 'reporting')  #")));     // on an add_column
  CHECK(refused(with(kClean, "'stations', schema=None", "'stations', 'reporting'")));        // on a batch block
  CHECK(refused(with(kClean, "nullable=True))  #", "nullable=True), schema='reporting')  #")));
}

TEST_CASE("with no schema pattern in the map, a literal schema changes nothing, and the parser agrees") {
  for (const auto& text : {with(kClean, "'dead_letter'", "'dead_letter', schema='x'"),
                           with(kClean, "'dead_letter'", "'dead_letter', 'reporting'"),
                           with(kClean, "table_name='tickets'", "'tickets', 'reporting'"),
                           with(kClean, "'stations', schema=None", "'stations', schema='reporting'"),
                           with(kClean, "nullable=True))  #", "nullable=True), schema='reporting')  #")}) {
    CHECK(scan(text) == "plant");
    check_same_as_parsed(text);
  }
  // A schema the parser cannot read makes the drop unresolved (AF103): the scan refuses it.
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'dead_letter', schema=SCHEMA")));
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'dead_letter', schema='a' 'b'")));
  CHECK_FALSE(scan(with(kClean, "'tickets', sa.", "'tickets', schema=s, x=sa.")));
}

TEST_CASE("a file clean but for its annotation is annotated without a parse, as the parser would") {
  auto verdict = scan_file(kUnannotated, TargetMap::builtin(), {{}, false, "plant"});
  REQUIRE(verdict);
  CHECK(verdict->target == "plant");
  REQUIRE(verdict->annotate_after);
  CHECK(kUnannotated.substr(0, *verdict->annotate_after).ends_with("depends_on = None"));
  CHECK_FALSE(proven_clean(kUnannotated, TargetMap::builtin(), {{}, false, "plant"}));  // no annotation
  check_same_as_parsed(kUnannotated);
  check_same_as_parsed(kUnannotated, {}, "plant");        // --target alone
  check_same_as_parsed(kUnannotated, "plant", "plant");  // both, agreeing
  FileResult annotated = compile(kUnannotated, true);
  CHECK(annotated.output == kClean);
  // The identifiers end the file, with no final newline; CRLF lines; a type annotation and a
  // comment after the last identifier; a long depends_on over several lines.
  check_same_as_parsed("revision = 'a1'\ndown_revision = None");
  check_same_as_parsed("revision = 'a1'\r\ndown_revision = None\r\n\r\ndef upgrade():\r\n    pass\r\n");
  check_same_as_parsed(with(kUnannotated, "depends_on = None", "depends_on: str | None = None  # none"));
  check_same_as_parsed(with(kUnannotated, "depends_on = None", "depends_on = (\n    'x',\n    'y',\n)"));
  check_same_as_parsed(with(kUnannotated, "branch_labels = None", "branch_labels: Union[str, None] = None"));
  check_same_as_parsed("\xEF\xBB\xBF" + kUnannotated);  // a BOM
  check_same_as_parsed("# -*- coding: utf-8 -*-\n" + kUnannotated);
}

TEST_CASE("a file without annotation goes to the parser when the scan cannot place it or its target") {
  auto scanned = [](const std::string& text, std::optional<std::string> option = {},
                    std::optional<std::string> folder = "plant") {
    return scan_file(text, TargetMap::builtin(), {option, false, folder}).has_value();
  };
  CHECK(scanned(kUnannotated));
  CHECK_FALSE(scanned(kUnannotated, {}, {}));                                             // no hint: tables decide
  CHECK_FALSE(scanned(kUnannotated, "hq", "plant"));                                      // hints disagree
  CHECK_FALSE(scanned(kUnannotated, "nowhere", {}));                                      // no such target
  CHECK_FALSE(scanned(with(kUnannotated, "branch_labels = None", "branch_labels = 'plant'")));  // labels decide
  CHECK_FALSE(scanned(with(kUnannotated, "revision = 'a1'", "revision = 'a1'; x = 1")));      // a shared line
  CHECK_FALSE(scanned(with(kUnannotated, "revision = 'a1'", "revision, x = 'a1', 1")));       // a tuple
  CHECK_FALSE(scanned(with(kUnannotated, "depends_on = None", "if x:\n    depends_on = None")));  // not top level
  CHECK_FALSE(scanned(with(kUnannotated, "def upgrade():\n", "def upgrade():\n    f(revision=1)\n")));
  // Whatever else needs the parser still does.
  CHECK_FALSE(scanned(with(kUnannotated, "'dead_letter'", "'hq_users'")));
  CHECK_FALSE(scanned(with(kUnannotated, "'dead_letter'", "'widgets'")));
  CHECK_FALSE(scanned(with(kUnannotated, "def upgrade():", "def upgrade_plant():")));
}

TEST_CASE("a UTF-8 coding cookie no longer sends a clean file to the parser; any other still does") {
  CHECK(compile("# -*- coding: utf-8 -*-\n" + kClean, true).prefiltered);
  check_same_as_parsed("# -*- coding: utf-8 -*-\n" + kClean);
  FileResult latin = compile("# -*- coding: latin-1 -*-\n" + kClean, true);
  CHECK_FALSE(latin.prefiltered);
  CHECK(has_code(latin, "AF207"));
  FileResult ascii_high = compile("# coding: ascii\n" + with(kClean, "Don't", "Don\xc3\xa9t"), true);
  CHECK_FALSE(ascii_high.prefiltered);
  CHECK(ascii_high.status == FileStatus::kError);
}

TEST_CASE("op.execute of a name or a call saying drop is SQL built at run time (AF106): parsed") {
  for (const std::string execute : {"    drop_sql = 'SELECT 1'\n    op.execute(drop_sql)\n",
                                    "    op.execute(sa.text(DROP_OLD))\n"}) {
    std::string text = with(kClean, "def downgrade():\n", "def downgrade():\n" + execute);
    CHECK_FALSE(scan(text));
    CHECK(has_code(compile(text, false), "AF106"));
  }
  // A comment inside the brackets is not the argument's text, but the scan does not tell: parsed.
  CHECK_FALSE(scan(with(kClean, "def downgrade():\n", "def downgrade():\n    op.execute(  # drop\n        sql)\n")));
  std::string harmless = with(kClean, "def downgrade():\n", "def downgrade():\n    op.execute(sql)\n");
  CHECK(scan(harmless) == "plant");
  check_same_as_parsed(harmless);
}

TEST_CASE("literal SQL that drops only what is not another target's is read by the scan, as raw-sql reads it") {
  auto in_downgrade = [](const std::string& statement) {
    return with(kClean, "def downgrade():\n", "def downgrade():\n    " + statement + "\n");
  };
  // Own and unknown tables, an index of one, a DROP TYPE: raw-sql says nothing; no parse.
  for (const std::string own : {"op.execute('DROP TABLE IF EXISTS dead_letter')",
                                "op.execute(\"DROP INDEX ix_tickets_priority\")",
                                "op.execute(sa.text('DROP TABLE widgets; ' 'DROP TYPE widget_kind'))",
                                "op.execute(  # drop the old one\n        'DROP TABLE stations_old')",
                                "op.get_bind().execute(sqlalchemy.sql.text('drop table tickets_old'))"}) {
    INFO(own);
    CHECK(scan(in_downgrade(own)) == "plant");
    check_same_as_parsed(in_downgrade(own));
  }
  // Another target's table or index, one named, or SQL the scan does not read whole: parsed,
  // and what the parser reports is there.
  for (const auto& [foreign, code] : std::vector<std::pair<std::string, std::string>>{
           {"op.execute('DROP TABLE hq_users')", "AF106"},
           {"op.execute('DROP TABLE dead_letter; DROP TABLE hq_users')", "AF106"},
           {"op.execute(sa.text('DROP INDEX ix_hq_users_email'))", "AF106"},
           {"op.execute('DROP TABLE dead_letter' + suffix)", "AF106"},
           {"op.execute(f'DROP TABLE {name}')", "AF106"},
           {"op.execute('DROP TABLE dead_letter', execution_options=None)", ""},
           {"op.execute('DROP TABLE \\x64ead_letter')", ""},
           {"op.execute('UPDATE hq_users SET x = 1; DROP TABLE dead_letter')", "AF108"},
           {"op.execute('SELECT 1; DR' 'OP INDEX ix_hq_users_email')", "AF106"}}) {
    const std::string& shown = foreign;  // clang 14: a structured binding cannot be captured
    INFO(shown);
    CHECK_FALSE(scan(in_downgrade(foreign)));
    if (!code.empty()) CHECK(has_code(compile(in_downgrade(foreign), false), code));
  }
}

TEST_CASE("escapes, concatenation and f-strings in a function body outside op calls: no parse, same result") {
  for (const std::string body : {"    sql = 'UPDATE t SET a = \\'x\\''\n",
                                 "    sql = ('UPDATE t '\n           'SET a = 1')\n    conn.execute(sql)\n",
                                 "    msg = f'{count} rows, {name!r:>10} {{literal}}'\n",
                                 "    note = f\"{d['k']}\"\n",
                                 "    op.execute('UPDATE tickets ' 'SET a = 1 ' \"WHERE b = 'x'\")\n",
                                 "    op.create_table('t', sa.Column('a', server_default='\\\\n'))\n",
                                 "    op.add_column('tickets', sa.Column('a', comment='x' 'y' f'{z}'))\n",
                                 // SQL raw-sql cannot read as a literal and that does not say drop:
                                 // raw-sql has nothing to say of it, whatever it holds.
                                 "    op.execute('a\\x41')\n",
                                 "    op.execute(f\"UPDATE {table} SET name = '{fix(name)}'\")\n",
                                 "    batch_op.execute('UPDATE hq\\x5fusers SET a = 1')\n",
                                 "    x = f'{run(1)} {\", \".join(names)}'\n",
                                 // Prose: no pass reads SQL outside .execute(...).
                                 "    op.add_column('tickets', sa.Column('a', comment='drop me later'))\n",
                                 "    \"\"\"Drop dead_letter.category, then DROP TABLE stations_old.\"\"\"\n"}) {
    std::string text = with(kClean, "def downgrade():\n", "def downgrade():\n" + body);
    CHECK(scan(text) == "plant");
    check_same_as_parsed(text);
  }
}

TEST_CASE("a string the parser reads, or one the scan may end in the wrong place, is still parsed") {
  auto in_downgrade = [](const std::string& body) { return with(kClean, "def downgrade():\n", "def downgrade():\n" + body); };
  CHECK_FALSE(scan(in_downgrade("    op.drop_table('hq' '_users')\n")));                // a table argument
  CHECK_FALSE(scan(in_downgrade("    op.drop_table('dead' '_letter')\n")));             // a drop's, even own
  CHECK_FALSE(scan(in_downgrade("    op.create_table('hq' '_users')\n")));              // read whole: foreign
  CHECK_FALSE(scan(in_downgrade("    op.execute('SELECT 1; DR' 'OP TABLE x')\n")));    // op.execute's SQL
  CHECK_FALSE(scan(in_downgrade("    batch_op.execute('a' f'b')\n")));                  // a piece not plain
  CHECK_FALSE(scan(in_downgrade("    op.create_table('t\\x', sa.Column('a'))\n")));     // in a table
  CHECK_FALSE(scan(in_downgrade("    x = f\"{d[\"k\"]}\"\n")));                       // PEP 701 quotes
  CHECK_FALSE(scan(in_downgrade("    x = f'{op.drop_table}'\n")));                       // an op in a field
  CHECK_FALSE(scan(with(kClean, "branch_labels = None", "branch_labels = ('h' 'q',)")));  // read whole
  CHECK_FALSE(scan(with(kClean, "from alembic import op", "from alembic import op\nX = 'hq_' 'users'")));
  CHECK_FALSE(scan(with(kClean, "from alembic import op", "from alembic import op\nX = 'a\\x'")));  // top level
  std::string labelled = with(kClean, "branch_labels = None", "branch_labels = ('pl' 'ant',)");
  CHECK(scan(labelled) == "plant");
  check_same_as_parsed(labelled);
}
