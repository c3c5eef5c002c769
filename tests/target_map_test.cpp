#include <doctest/doctest.h>

#include "compiler/target_map.h"

using namespace alembic_fix;

TEST_CASE("the built-in map holds the Rule 4 lists") {
  TargetMap m = TargetMap::builtin();
  CHECK(m.target_names() == "hq, plant");
  CHECK(m.classify({"hq_plants", ""}, "plant") == Ownership::kForeign);
  CHECK(m.classify({"tickets", ""}, "plant") == Ownership::kOwn);
  CHECK(m.classify({"tickets", ""}, "hq") == Ownership::kForeign);
  CHECK(m.classify({"dead_letter", ""}, "plant") == Ownership::kOwn);  // shared
  CHECK(m.classify({"email_queue", ""}, "hq") == Ownership::kOwn);     // shared
  CHECK(m.classify({"widgets", ""}, "plant") == Ownership::kUnknown);
}

TEST_CASE("globs and schema-qualified patterns") {
  TargetMap m = TargetMap::parse(R"(
[targets.a]
tables = ["hq_*", "reporting.*"]
[targets.b]
tables = ["plant_?"]
)", "t.toml");
  CHECK(m.classify({"hq_anything", ""}, "b") == Ownership::kForeign);
  CHECK(m.classify({"daily", "reporting"}, "b") == Ownership::kForeign);
  CHECK(m.classify({"daily", ""}, "b") == Ownership::kUnknown);
  CHECK(m.classify({"plant_1", "any"}, "b") == Ownership::kOwn);
}

TEST_CASE("maps inside pyproject.toml under tool.alembic-fix") {
  TargetMap m = TargetMap::parse("[tool.alembic-fix.targets.x]\ntables = [\"t\"]\n", "pyproject.toml",
                                 "tool.alembic-fix");
  CHECK(m.has_target("x"));
}

TEST_CASE("bad maps are refused with where and why") {
  CHECK_THROWS_WITH_AS(TargetMap::parse("[targets.a]\ntables = [1]\n", "m.toml"),
                       "m.toml: [targets.a] tables must be strings", MapError);
  CHECK_THROWS_AS(TargetMap::parse("[targets\n", "m.toml"), MapError);
  CHECK_THROWS_AS(TargetMap::parse("x = 1\n", "m.toml"), MapError);
}
