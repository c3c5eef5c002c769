#include <doctest/doctest.h>

#include "passes/drop_rules.h"
#include "tests/pass_for_test.h"

using namespace alembic_fix;
using namespace alembic_fix::testing;

namespace {

// The drop rules asked on a file's view, through any pass's run (annotate-target: no effect).
struct Rules {
  PassRun run;
  explicit Rules(std::string text, PassConfig config = {})
      : run("annotate-target", std::move(text), "plant", withheld(config)), config(config) {}
  PassConfig config;
  static const TargetMap& maps() {
    static const TargetMap map = TargetMap::builtin();
    return map;
  }
  PassInput input() const { return {run.source(), run.tree(), run.view(), "plant", maps(), config}; }
  static PassConfig withheld(PassConfig c) {
    c.annotate.enabled = false;
    return c;
  }
};

}  // namespace

TEST_CASE("function_target: the file's target, a multidb engine that is a target, or none") {
  Rules r(kHead + "def upgrade():\n    pass\ndef upgrade_hq():\n    pass\ndef upgrade_engine1():\n    pass\n");
  const auto& fns = r.run.view().functions;
  REQUIRE(fns.size() == 3);
  CHECK(function_target(fns[0], r.input()) == "plant");
  CHECK(function_target(fns[1], r.input()) == "hq");
  CHECK_FALSE(function_target(fns[2], r.input()));
}

TEST_CASE("is_removable_drop: foreign drops, unknown ones under --unknown remove, never a create") {
  std::string text = kHead + R"(def upgrade():
    op.drop_table('hq_plants')
    op.drop_table('widgets')
    op.drop_table('tickets')
    op.create_table('hq_users')
)";
  Rules keep(text);
  const MigrationFunction& up = keep.run.view().functions[0];
  CHECK(is_removable_drop(up.ops[0], up, "plant", keep.input()));
  CHECK_FALSE(is_removable_drop(up.ops[1], up, "plant", keep.input()));
  CHECK_FALSE(is_removable_drop(up.ops[2], up, "plant", keep.input()));
  CHECK_FALSE(is_removable_drop(up.ops[3], up, "plant", keep.input()));
  Rules remove(text, {{UnknownPolicy::kRemove}, {}});
  const MigrationFunction& up2 = remove.run.view().functions[0];
  CHECK(is_removable_drop(up2.ops[1], up2, "plant", remove.input()));
  CHECK(removed_drop_tables(up2, "plant", remove.input()) == std::vector<std::string>{"hq_plants", "widgets"});
}

TEST_CASE("a downgrade drop that undoes the upgrade's kept foreign create is not removable") {
  Rules r(kHead + R"(def upgrade():
    op.create_table('hq_users', sa.Column('id', sa.Integer()))


def downgrade():
    op.drop_table('hq_users')
)");
  const MigrationFunction& down = r.run.view().functions[1];
  CHECK_FALSE(is_removable_drop(down.ops[0], down, "plant", r.input()));
}

TEST_CASE("removed_drop_tables leaves out drops that are not whole statements; describe names the call") {
  Rules r(kHead + "def upgrade():\n    x = op.drop_table('hq_plants')\n    op.drop_index('ix', table_name='hq_users')\n");
  const MigrationFunction& up = r.run.view().functions[0];
  CHECK(removed_drop_tables(up, "plant", r.input()) == std::vector<std::string>{"hq_users"});
  CHECK(describe(r.input(), up.ops[1]) == "op.drop_index on hq_users");
}

TEST_CASE("drop_ownership: a table no map lists that the upgrade creates is the downgrade's own") {
  std::string text = kHead + R"(def upgrade():
    op.create_table('report_archive', sa.Column('id', sa.Integer()), schema='archive')
    op.create_table('report_archive')
    op.add_column('widgets', sa.Column('x', sa.Integer()))
    op.drop_table('legacy')


def downgrade():
    op.create_table('legacy')
    with op.batch_alter_table('report_archive', schema='archive') as batch_op:
        batch_op.drop_index('ix_report_archive_id')
    op.drop_table('report_archive', schema='archive')
    op.drop_table('report_archive')
    op.drop_column('widgets', 'x')
    op.drop_table('hq_users')
)";
  Rules r(text, {{UnknownPolicy::kRemove}, {}});
  const MigrationFunction& up = r.run.view().functions[0];
  const MigrationFunction& down = r.run.view().functions[1];
  REQUIRE(down.ops.size() == 6);
  CHECK(drop_ownership(down.ops[1], down, "plant", r.input()) == Ownership::kOwn);  // inside a batch
  CHECK(drop_ownership(down.ops[2], down, "plant", r.input()) == Ownership::kOwn);  // with its schema
  CHECK(drop_ownership(down.ops[3], down, "plant", r.input()) == Ownership::kOwn);
  CHECK_FALSE(is_removable_drop(down.ops[3], down, "plant", r.input()));
  // Only a create_table makes the table the file's: an added column does not.
  CHECK(drop_ownership(down.ops[4], down, "plant", r.input()) == Ownership::kUnknown);
  CHECK(drop_ownership(down.ops[5], down, "plant", r.input()) == Ownership::kForeign);  // the map wins
  // An upgrade drop the downgrade re-creates is what autogenerate writes for any foreign table.
  CHECK(drop_ownership(up.ops[3], up, "plant", r.input()) == Ownership::kUnknown);
  CHECK(is_removable_drop(up.ops[3], up, "plant", r.input()));
}

TEST_CASE("another target's version table is foreign; alembic_version is no one's unless a map says") {
  std::string text = kHead + R"(def upgrade():
    op.drop_table('alembic_version_hq')
    op.drop_table('alembic_version_plant')
    op.drop_table('alembic_version')
)";
  Rules r(text);
  const MigrationFunction& up = r.run.view().functions[0];
  CHECK(is_removable_drop(up.ops[0], up, "plant", r.input()));
  CHECK(drop_ownership(up.ops[1], up, "plant", r.input()) == Ownership::kOwn);
  CHECK(drop_ownership(up.ops[2], up, "plant", r.input()) == Ownership::kUnknown);
  CHECK_FALSE(is_removable_drop(up.ops[2], up, "plant", r.input()));
}
