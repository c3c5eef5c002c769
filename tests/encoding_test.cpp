#include <doctest/doctest.h>

#include "compiler/encoding.h"

using namespace alembic_fix;

TEST_CASE("encoding: a coding cookie naming ASCII is accepted, as a subset of UTF-8") {
  CHECK_FALSE(encoding_problem(Source("# -*- coding: ascii -*-\nx = 1\n")));
  CHECK_FALSE(encoding_problem(Source("#!/usr/bin/env python\n# coding=US-ASCII\nx = 1\n")));
}

TEST_CASE("encoding: a byte above 0x7F in a file that declares ASCII is refused at its position") {
  auto problem = encoding_problem(Source("# coding: ascii\nx = '\xC3\xA9'\n"));
  REQUIRE(problem);
  CHECK(problem->code.id == "AF207");
  CHECK(problem->position.line == 2);
  CHECK(problem->position.column == 6);
}

TEST_CASE("encoding: any other cookie but UTF-8 is still refused") {
  auto problem = encoding_problem(Source("# coding: latin-1\nx = 1\n"));
  REQUIRE(problem);
  CHECK(problem->message.find("latin-1") != std::string::npos);
}
