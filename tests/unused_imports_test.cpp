#include <doctest/doctest.h>

#include "tests/fix_for_test.h"

using namespace alembic_fix;
using namespace alembic_fix::testing;

namespace {

// Alembic's template header with `${imports}` rendered as `imports` (one line each), as
// autogenerate writes it on PostgreSQL.
std::string header(const std::string& imports) {
  return "from alembic import op\nimport sqlalchemy as sa\n" + imports +
         "\n# revision identifiers, used by Alembic.\nrevision = 'b'\ndown_revision = 'a'\n"
         "branch_labels = None\ndepends_on = None\n\n\n";
}

const std::string kDialect = "from sqlalchemy.dialects import postgresql\n";

// upgrade() drops hq_plants (which goes), downgrade() re-creates it with a dialect type.
const std::string kHqRecreation = R"(def upgrade():
    op.drop_table('hq_plants')


def downgrade():
    op.create_table('hq_plants',
    sa.Column('created_at', postgresql.TIMESTAMP(), nullable=True)
    )
)";

}  // namespace

TEST_CASE("a dialect import only removed statements used goes, its line left empty as autogenerate leaves it") {
  auto r = fix(header(kDialect) + kHqRecreation);
  REQUIRE(r.status == FileStatus::kChanged);
  // A clean autogenerate renders an empty `${imports}` line, then the template's blank line.
  CHECK(r.output == header("\n") + "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n");
  CHECK(has_code(r, "AF005"));
  CHECK(r.diagnostics.front().message ==
        "`from sqlalchemy.dialects import postgresql` was used only by removed statements: removed");
  CHECK(r.diagnostics.front().position.line == 3);
}

TEST_CASE("of two dialect imports on Alembic's imports line, only the unused one goes and no line is left") {
  std::string own = R"(def upgrade():
    op.drop_table('hq_plants')
    op.add_column('tickets', sa.Column('tags', mysql.SET('a')))


def downgrade():
    op.create_table('hq_plants',
    sa.Column('created_at', postgresql.TIMESTAMP(), nullable=True)
    )
)";
  std::string two = "from sqlalchemy.dialects import mysql\n" + kDialect;
  // Both unused: Alembic's imports line is left empty, once.
  std::string both = kHqRecreation.substr(0, kHqRecreation.size() - 7) + ",\n    sa.Column('tags', mysql.SET('a'))\n    )\n";
  CHECK(fixed(header(two) + both) == header("\n") + "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n");
  CHECK(fixed(header(two) + own) == header("from sqlalchemy.dialects import mysql\n") + R"(def upgrade():
    op.add_column('tickets', sa.Column('tags', mysql.SET('a')))


def downgrade():
    pass
)");
}

TEST_CASE("a dialect import kept code uses, or no code used, stays") {
  std::string kept_use = kHqRecreation + "\n\ndef helper():\n    return postgresql.JSONB()\n";
  auto r = fix(header(kDialect) + kept_use);
  CHECK(r.output.starts_with(header(kDialect)));
  CHECK_FALSE(has_code(r, "AF005"));

  std::string no_use = "def upgrade():\n    op.drop_table('hq_plants')\n";
  r = fix(header(kDialect) + no_use);
  CHECK(r.output == header(kDialect) + "def upgrade():\n    pass\n");
  CHECK_FALSE(has_code(r, "AF005"));
}

TEST_CASE("imports a person wrote stay: another spelling, a comment after it, the template's own") {
  for (std::string imports : {"from sqlalchemy.dialects import postgresql  # noqa: F401\n",
                              "from sqlalchemy.dialects import postgresql as pg\n",
                              "from sqlalchemy.dialects import postgresql, mysql\n",
                              "import sqlalchemy.dialects.postgresql as postgresql\n"}) {
    CAPTURE(imports);
    auto r = fix(header(imports) + kHqRecreation);
    CHECK(r.output.starts_with(header(imports)));
    CHECK_FALSE(has_code(r, "AF005"));
  }
  // Nothing uses sa once the re-creation goes; a clean autogenerate still writes it.
  auto r = fix(header("\n") + kHqRecreation);
  CHECK(r.output == header("\n") + "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n");
}
