#include <doctest/doctest.h>

#include "tests/fix_for_test.h"
#include "tests/pass_for_test.h"

using namespace alembic_fix;
using namespace alembic_fix::testing;

TEST_CASE("foreign-op reports other operations on another target's tables and keeps them") {
  PassRun run("foreign-op", kHead + R"(def upgrade():
    op.add_column('assets', sa.Column('tag', sa.String()))
    op.create_table('hq_users', sa.Column('id', sa.Integer()))
    op.alter_column('rollup_daily', 'x', nullable=True)
    op.drop_table('hq_plants')
)");
  CHECK(run.removed().empty());
  CHECK(run.out.edits.empty());
  CHECK(run.reported() ==
        Lines{"9:5 AF101 op.create_table on hq_users in upgrade(): the table is not plant's; kept, check it is meant",
              "10:5 AF101 op.alter_column on rollup_daily in upgrade(): the table is not plant's; kept, check it is "
              "meant"});
}

TEST_CASE("foreign-op leaves the re-creations mirror-downgrade removes to it") {
  PassRun run("foreign-op", kHead + R"(def upgrade():
    op.drop_table('hq_plants')


def downgrade():
    op.create_table('hq_plants', sa.Column('id', sa.Integer()))
    op.add_column('hq_users', sa.Column('x', sa.Integer()))
)");
  CHECK(run.reported() ==
        Lines{"13:5 AF101 op.add_column on hq_users in downgrade(): the table is not plant's; kept, check it is meant"});
}

TEST_CASE("a file with foreign ops and unresolved drops is reported and left unchanged") {
  std::string in = kHead + R"(def upgrade():
    op.add_column('assets', sa.Column('tag', sa.String()))
    op.create_table('hq_users', sa.Column('id', sa.Integer()))
    op.drop_table(name)
)";
  auto r = fix(in);
  CHECK(r.status == FileStatus::kUnchanged);
  CHECK(has_code(r, "AF101"));
  CHECK(has_code(r, "AF103"));
}
