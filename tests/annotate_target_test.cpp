#include <doctest/doctest.h>

#include "tests/fix_for_test.h"
#include "tests/pass_for_test.h"

using namespace alembic_fix;
using namespace alembic_fix::testing;

TEST_CASE("annotate-target inserts the annotation after the last identifier, in the file's line ending") {
  std::string in = "revision = 'a'\r\ndown_revision = None\r\ndepends_on = None\r\n\r\ndef upgrade():\r\n    pass\r\n";
  PassRun run("annotate-target", in, "hq");
  REQUIRE(run.out.edits.size() == 1);
  const Edit& edit = run.out.edits[0];
  CHECK(edit.start == edit.end);
  CHECK(edit.start == in.find("\r\n\r\n") + 2);
  CHECK(edit.replacement == "MIGRATION_TARGET = \"hq\"\r\n");
  CHECK(run.reported() == Lines{"4:1 AF003 MIGRATION_TARGET = \"hq\" added after the revision identifiers"});
  CHECK(run.removed().empty());

  std::string out = fixed(in, "hq", true);
  CHECK(out == "revision = 'a'\r\ndown_revision = None\r\ndepends_on = None\r\nMIGRATION_TARGET = \"hq\"\r\n\r\n"
               "def upgrade():\r\n    pass\r\n");
  CHECK(fix(out, "hq", true).status == FileStatus::kUnchanged);
}

TEST_CASE("annotate-target at the end of a file without a final newline starts a line") {
  PassRun run("annotate-target", "revision = 'a'", "plant");
  REQUIRE(run.out.edits.size() == 1);
  CHECK(run.out.edits[0].replacement == "\nMIGRATION_TARGET = \"plant\"");
}

TEST_CASE("annotate-target is silent when turned off, already annotated, or without identifiers") {
  CHECK(PassRun("annotate-target", kHead, "plant", {{}, {false}}).out.edits.empty());
  CHECK(PassRun("annotate-target", kHead + "MIGRATION_TARGET = 'plant'\n").out.edits.empty());
  CHECK(PassRun("annotate-target", "def upgrade():\n    pass\n").out.edits.empty());
}
