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
