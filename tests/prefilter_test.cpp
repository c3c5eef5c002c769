#include <doctest/doctest.h>

#include <algorithm>

#include "compiler/prefilter.h"
#include "tests/fix_for_test.h"

using namespace alembic_fix;

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
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'dead_letter', schema='x'")));           // a schema
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "*names")));                              // a splat
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'dead_letter', 'reporting'")));          // a positional schema
  CHECK_FALSE(scan(with(kClean, "table_name='tickets'", "'tickets', 'reporting'")));       // on a drop_index
  CHECK_FALSE(scan(with(kClean, "nullable=True))  #", "nullable=True), 'reporting')  #"))); // on an add_column
  CHECK_FALSE(scan(with(kClean, "'stations', schema=None", "'stations', 'reporting'")));    // on a batch block
  CHECK_FALSE(scan(with(kClean, "'stations'", "'hq_plants'")));                            // a foreign batch
  CHECK_FALSE(scan(with(kClean, "'tickets', sa.", "'hq_users', sa.")));                    // a foreign create
  CHECK_FALSE(scan(with(kClean, "nullable=True))  #", "nullable=True), schema='reporting')  #")));  // a schema
  CHECK_FALSE(scan(with(kClean, "branch_labels = None", "branch_labels = ('hq',)")));     // labels disagree
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'hq\\x5fusers'")));                      // an escape
  CHECK_FALSE(scan(with(kClean, "'dead_letter'", "'stop_reason' '_daily'")));              // concatenation
  CHECK_FALSE(scan(with(kClean, "def downgrade():\n", "def downgrade():\n    x = f\"{d['k']}\"\n")));  // PEP 701
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
