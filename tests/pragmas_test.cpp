#include <doctest/doctest.h>

#include "compiler/pragmas.h"

using namespace alembic_fix;

TEST_CASE("pragmas: keep at the end of a line, skip-file at module level, unknown words") {
  PythonParser parser;
  std::string text =
      "# alembic-fix: skip-file\n"
      "def upgrade():\n"
      "    op.drop_table('x')  # alembic-fix: keep (moved to hq)\n"
      "    op.create_table('y',  #alembic-fix:keep\n"
      "        sa.Column('id'))\n"
      "    # alembic-fix: kep\n"
      "    s = '# alembic-fix: keep'\n";
  SyntaxTree tree = parser.parse(text);
  auto pragmas = read_pragmas(tree);
  REQUIRE(pragmas.size() == 4);
  CHECK(pragmas[0].kind == PragmaKind::kSkipFile);
  CHECK(pragmas[0].top_level);
  CHECK_FALSE(pragmas[0].ends_code);
  CHECK(pragmas[1].kind == PragmaKind::kKeep);
  CHECK(pragmas[1].row == 2);
  CHECK(pragmas[1].ends_code);
  CHECK(pragmas[1].text == "keep (moved to hq)");
  CHECK(pragmas[2].kind == PragmaKind::kKeep);
  CHECK(pragmas[2].row == 3);
  CHECK(pragmas[3].kind == PragmaKind::kUnknown);
  CHECK_FALSE(pragmas[3].ends_code);
  CHECK_FALSE(pragmas[3].top_level);
}

TEST_CASE("pragmas: none in a file that never names the marker") {
  PythonParser parser;
  SyntaxTree tree = parser.parse("# noqa\nx = 1  # fmt: skip\n");
  CHECK(read_pragmas(tree).empty());
}
