#include <doctest/doctest.h>

#include "tests/fix_for_test.h"
#include "tests/pass_for_test.h"

using namespace alembic_fix;
using namespace alembic_fix::testing;

TEST_CASE("wrong-target-drop removes drops of foreign tables, keeps own and shared ones") {
  PassRun run("wrong-target-drop", kHead + R"(def upgrade():
    op.drop_index('ix_hq_plants_name', table_name='hq_plants')
    op.drop_table('hq_plants')
    op.drop_table('tickets')
    op.drop_table('dead_letter')
)");
  CHECK(run.removed() == Lines{"op.drop_index('ix_hq_plants_name', table_name='hq_plants')", "op.drop_table('hq_plants')"});
  CHECK(run.reported() ==
        Lines{"8:5 AF001 op.drop_index on hq_plants in upgrade(): the table belongs to hq, not plant",
              "9:5 AF001 op.drop_table on hq_plants in upgrade(): the table belongs to hq, not plant"});
  CHECK(run.out.edits.empty());
}

TEST_CASE("wrong-target-drop finds drops at any depth, and batch_op drops by their block's table") {
  PassRun run("wrong-target-drop", kHead + R"(def upgrade():
    if cond:
        for t in ts:
            op.drop_constraint('fk', 'report_job')
    with op.batch_alter_table('rollup_daily') as batch_op:
        batch_op.drop_column('x')
)");
  CHECK(run.removed() == Lines{"op.drop_constraint('fk', 'report_job')", "batch_op.drop_column('x')"});
}

TEST_CASE("unknown tables: named and kept, removed, or an error, as --unknown says") {
  std::string in = kHead + "def upgrade():\n    op.drop_table('widgets')\n";
  PassRun keep("wrong-target-drop", in);
  CHECK(keep.removed().empty());
  CHECK(keep.reported() ==
        Lines{"8:5 AF102 table \"widgets\" is in no target map; kept (add it to a map, or --unknown remove)"});
  CHECK(keep.out.diagnostics[0].code.severity == Severity::kWarning);

  PassRun remove("wrong-target-drop", in, "plant", {{UnknownPolicy::kRemove}, {}});
  CHECK(remove.removed() == Lines{"op.drop_table('widgets')"});
  CHECK(remove.reported() ==
        Lines{"8:5 AF001 op.drop_table on widgets in upgrade(): the table belongs to no target, not plant"});

  PassRun error("wrong-target-drop", in, "plant", {{UnknownPolicy::kError}, {}});
  CHECK(error.removed().empty());
  REQUIRE(error.out.diagnostics.size() == 1);
  CHECK(error.out.diagnostics[0].code.severity == Severity::kError);
  CHECK(fix(in, "plant", false, UnknownPolicy::kError).status == FileStatus::kError);
}

TEST_CASE("a drop whose table is not a literal is reported, never guessed") {
  PassRun run("wrong-target-drop", kHead + R"(def upgrade():
    op.drop_table(name)
    op.drop_index('ix')
)");
  CHECK(run.removed().empty());
  CHECK(run.reported() == Lines{"8:5 AF103 op.drop_table in upgrade(): its table is not a string literal; left as is",
                                "9:5 AF103 op.drop_index in upgrade(): names no table (pass table_name=); left as is"});
}

TEST_CASE("a foreign drop inside an expression is refused (AF205), not half-removed") {
  PassRun run("wrong-target-drop", kHead + "def upgrade():\n    x = op.drop_table('hq_plants')\n");
  CHECK(run.removed().empty());
  CHECK(run.reported() == Lines{"8:9 AF205 op.drop_table on hq_plants is part of a larger expression; remove it by hand"});
}

TEST_CASE("a drop whose positional schema gives the table to another target goes") {
  static const TargetMap maps = TargetMap::parse(
      "[targets.plant]\ntables = [\"tickets\"]\n[targets.hq]\ntables = [\"reporting.*\"]\n", "test");
  std::string in = kHead + R"(def upgrade():
    op.drop_index('ix_rollups_x', 'rollups', 'reporting')
    op.drop_index('ix_tickets_y', 'tickets')
)";
  PassRun run("wrong-target-drop", in, "plant", {}, &maps);
  CHECK(run.removed() == Lines{"op.drop_index('ix_rollups_x', 'rollups', 'reporting')"});
  CHECK(run.reported() ==
        Lines{"8:5 AF001 op.drop_index on reporting.rollups in upgrade(): the table belongs to hq, not plant"});
  CHECK(fix(in, "plant", false, UnknownPolicy::kKeep, &maps).output == kHead + R"(def upgrade():
    op.drop_index('ix_tickets_y', 'tickets')
)");
}

TEST_CASE("multidb functions are judged for the engine their name gives") {
  PassRun run("wrong-target-drop", kHead + R"(def upgrade_plant():
    op.drop_table('hq_plants')


def upgrade_hq():
    op.drop_table('tickets')
    op.drop_table('hq_plants')


def upgrade_other():
    op.drop_table('tickets')
)");
  CHECK(run.removed() == Lines{"op.drop_table('hq_plants')", "op.drop_table('tickets')"});
  CHECK(run.reported()[1] == "12:5 AF001 op.drop_table on tickets in upgrade_hq(): the table belongs to plant, not hq");
}
