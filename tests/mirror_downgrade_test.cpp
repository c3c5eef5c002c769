#include <doctest/doctest.h>

#include "tests/fix_for_test.h"
#include "tests/pass_for_test.h"

using namespace alembic_fix;
using namespace alembic_fix::testing;

namespace {
const std::string kPolluted = kHead + R"(def upgrade():
    op.add_column('tickets', sa.Column('x', sa.Integer()))
    op.drop_index('ix_hq_plants_name', table_name='hq_plants')
    op.drop_table('hq_plants')


def downgrade():
    op.create_table('hq_plants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_hq_plants_name', 'hq_plants', ['name'], unique=False)
    op.drop_column('tickets', 'x')
)";
}  // namespace

TEST_CASE("mirror-downgrade removes the re-creation of each table whose drop left upgrade()") {
  PassRun run("mirror-downgrade", kPolluted);
  REQUIRE(run.removed().size() == 2);
  CHECK(run.removed()[1] == "op.create_index('ix_hq_plants_name', 'hq_plants', ['name'], unique=False)");
  CHECK(run.reported() ==
        Lines{"14:5 AF002 op.create_table on hq_plants in downgrade(): re-creates a table whose drop left upgrade()",
              "18:5 AF002 op.create_index on hq_plants in downgrade(): re-creates a table whose drop left upgrade()"});
  // With wrong-target-drop, the file reads as if the other database had never been there.
  CHECK(fixed(kPolluted) == kHead + R"(def upgrade():
    op.add_column('tickets', sa.Column('x', sa.Integer()))


def downgrade():
    op.drop_column('tickets', 'x')
)");
}

TEST_CASE("mirror-downgrade does nothing when no drop left upgrade()") {
  PassRun run("mirror-downgrade", kHead + R"(def upgrade():
    pass


def downgrade():
    op.create_table('hq_plants', sa.Column('id', sa.Integer()))
)");
  CHECK(run.removed().empty());
  CHECK(run.out.diagnostics.empty());
}

TEST_CASE("a re-creation inside an expression is refused (AF205)") {
  PassRun run("mirror-downgrade", kHead + R"(def upgrade():
    op.drop_table('hq_plants')


def downgrade():
    t = op.create_table('hq_plants', sa.Column('id', sa.Integer()))
)");
  CHECK(run.removed().empty());
  CHECK(run.reported() ==
        Lines{"12:9 AF205 op.create_table on hq_plants is part of a larger expression; remove it by hand"});
}
