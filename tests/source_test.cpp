#include <doctest/doctest.h>

#include "compiler/source.h"

using namespace alembic_fix;

TEST_CASE("a BOM is kept out of the text and remembered") {
  Source s("\xEF\xBB\xBFx = 1\n");
  CHECK(s.has_bom());
  CHECK(s.text() == "x = 1\n");
  CHECK(s.bom() == "\xEF\xBB\xBF");
}

TEST_CASE("the first line ending decides the newline style") {
  CHECK(Source("a\r\nb\n").newline() == "\r\n");
  CHECK(Source("a\nb\r\n").newline() == "\n");
  CHECK(Source("no newline").newline() == "\n");
}

TEST_CASE("positions are 1-based lines and character columns") {
  Source s("ab\n\xC3\xA9x = 1\n");
  CHECK(s.position(0).line == 1);
  CHECK(s.position(3).line == 2);
  Position p = s.position(5);  // after the two-byte é
  CHECK(p.line == 2);
  CHECK(p.column == 2);
}

TEST_CASE("line boundaries, terminators and blank lines") {
  Source s("a\r\n  \nb");
  CHECK(s.line_start(1) == 0);
  CHECK(s.line_end(0) == 3);
  CHECK(s.line_terminator(0) == "\r\n");
  CHECK(s.line_is_blank(3));
  CHECK_FALSE(s.line_is_blank(0));
  CHECK(s.line_terminator(6).empty());
}
