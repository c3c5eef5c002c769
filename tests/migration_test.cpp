#include <doctest/doctest.h>

#include "compiler/migration.h"

using namespace alembic_fix;

namespace {
struct Parsed {
  std::string text;
  PythonParser parser;
  SyntaxTree tree;
  Migration view;
  explicit Parsed(std::string t) : text(std::move(t)), tree(parser.parse(text)), view(read_migration(tree)) {}
};
}  // namespace

TEST_CASE("plain and typed revision identifiers both make a migration") {
  CHECK(Parsed("revision = 'a'\n").view.is_migration);
  CHECK(Parsed("revision: str = 'a'\ndown_revision: Union[str, None] = None\n").view.is_migration);
  CHECK_FALSE(Parsed("def revision():\n    pass\n").view.is_migration);
  CHECK_FALSE(Parsed("if x:\n    revision = 'a'\n").view.is_migration);
}

TEST_CASE("op calls get their table from positionals, keywords, op.f and schema") {
  Parsed p(R"(revision = 'a'
def upgrade():
    op.drop_index(op.f('ix_hq_plants_name'), table_name='hq_plants')
    op.drop_table('hq_plants', schema="hq")
    op.drop_constraint('fk', 'tickets', type_='foreignkey')
    op.drop_column(table_name=T, column_name='x')
    op.execute("select 1")
    with op.batch_alter_table('rollup_daily', schema=None) as batch_op:
        if True:
            batch_op.drop_index('ix_rollup')
)");
  REQUIRE(p.view.functions.size() == 1);
  const auto& ops = p.view.functions[0].ops;
  REQUIRE(ops.size() == 6);
  CHECK(ops[0].table.name == "hq_plants");
  CHECK(ops[1].table.qualified() == "hq.hq_plants");
  CHECK(ops[2].table.name == "tickets");
  CHECK(ops[3].table_arg == TableArg::kUnresolved);
  CHECK(ops[4].table_arg == TableArg::kNone);
  CHECK(ops[5].batch == 0);
  CHECK(ops[5].method == "drop_index");
  CHECK(ops[5].table.name == "rollup_daily");
  CHECK(!ts_node_is_null(ops[5].statement));
}

TEST_CASE("identifiers, annotation, branch labels and multidb functions") {
  Parsed p(R"(revision = 'a'
down_revision = None
branch_labels = ('plant',)
depends_on = None
MIGRATION_TARGET = "plant"
def upgrade(engine_name: str) -> None:
    globals()["upgrade_%s" % engine_name]()
def upgrade_hq():
    pass
def downgrade_hq():
    pass
)");
  CHECK(p.tree.text(p.view.identifiers_end) == "depends_on = None");
  REQUIRE(p.view.annotation);
  CHECK(*p.view.annotation->value == "plant");
  CHECK(*p.view.branch_labels == "plant");
  REQUIRE(p.view.functions.size() == 3);
  CHECK(p.view.functions[1].engine == "hq");
  CHECK(p.view.upgrade_for(p.view.functions[2]) == &p.view.functions[1]);
}

TEST_CASE("a call inside an assignment is found but is not a removable statement") {
  Parsed p("revision = 'a'\ndef upgrade():\n    x = op.drop_table('hq_plants')\n");
  REQUIRE(p.view.functions[0].ops.size() == 1);
  CHECK(ts_node_is_null(p.view.functions[0].ops[0].statement));
}

TEST_CASE("a schema passed by position (Alembic before 1.11) qualifies the table") {
  Parsed p(R"(revision = 'a'
def upgrade():
    op.drop_index('ix', 'tickets', 'reporting')
    op.drop_table('hq_plants', None)
    op.drop_constraint('fk', 'tickets', 'foreignkey', 'reporting')
    op.drop_column('tickets', 'x', name)
    op.create_foreign_key('fk', 'tickets', 'users', ['a'], ['b'], source_schema='reporting')
    with op.batch_alter_table('rollup_daily', 'reporting') as batch_op:
        batch_op.drop_column('x')
)");
  const auto& ops = p.view.functions[0].ops;
  REQUIRE(ops.size() == 6);
  CHECK(ops[0].table.qualified() == "reporting.tickets");
  CHECK(ops[1].table.qualified() == "hq_plants");
  CHECK(ops[2].table.qualified() == "reporting.tickets");
  CHECK(ops[3].table_arg == TableArg::kUnresolved);
  CHECK(ops[4].table.qualified() == "reporting.tickets");
  CHECK(ops[5].table.qualified() == "reporting.rollup_daily");
}

TEST_CASE("the table of operations: one entry per op, kinds as the passes need them") {
  for (const AlembicOp& op : alembic_ops()) {
    CAPTURE(op.name);
    CHECK(find_alembic_op(op.name) == &op);  // no name twice
    CHECK(op.kind != OpKind::kOther);
    CHECK(op.schema_position != op.table_position);
    CHECK(op.name.starts_with("drop_") == (op.kind == OpKind::kDrop || op.name == "drop_table_comment"));
  }
  CHECK(is_drop("drop_table"));
  CHECK_FALSE(is_drop("drop_table_comment"));
  CHECK(is_create("add_column"));
  CHECK_FALSE(is_create("alter_column"));
  CHECK(op_kind("execute") == OpKind::kOther);
  CHECK(find_alembic_op("bulk_insert") == nullptr);
}
