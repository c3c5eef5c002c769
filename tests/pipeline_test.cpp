#include <doctest/doctest.h>

#include "tests/fix_for_test.h"
#include "tests/pass_for_test.h"

using namespace alembic_fix;
using namespace alembic_fix::testing;

TEST_CASE("an annotation naming another target is an error and changes nothing") {
  auto r = fix(kHead + "MIGRATION_TARGET = 'hq'\ndef upgrade():\n    op.drop_table('tickets')\n", "plant");
  CHECK(r.status == FileStatus::kError);
  CHECK(has_code(r, "AF202"));
  CHECK(r.output.empty());
}

TEST_CASE("the passes together: multidb functions are cleaned for the engine their name gives") {
  std::string in = kHead + R"(def upgrade_plant():
    op.drop_table('hq_plants')


def upgrade_hq():
    op.drop_table('tickets')
    op.drop_table('hq_plants')
)";
  CHECK(fixed(in, "plant") == kHead + R"(def upgrade_plant():
    pass


def upgrade_hq():
    op.drop_table('hq_plants')
)");
}

TEST_CASE("diagnostics come in line order, whichever pass made them") {
  auto r = fix(kHead + R"(def upgrade():
    op.create_table('hq_users', sa.Column('id', sa.Integer()))
    op.drop_table('hq_plants')
    op.add_column('tickets', sa.Column('x', sa.Integer()))
)", "plant", true);
  REQUIRE(r.diagnostics.size() == 3);
  CHECK(r.diagnostics[0].code.id == "AF003");
  CHECK(r.diagnostics[1].code.id == "AF101");
  CHECK(r.diagnostics[2].code.id == "AF001");
}
