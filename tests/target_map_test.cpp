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

TEST_CASE("version tables: version_table names one, else alembic_version_<target>") {
  TargetMap m = TargetMap::parse(R"(
[targets.plant]
tables = ["tickets"]
version_table = "alembic_version"
[targets.hq]
tables = ["hq_*"]
[targets.meta]
tables = []
version_table = "ops.meta_versions"
)", "t.toml");
  CHECK(m.classify({"alembic_version", ""}, "hq") == Ownership::kForeign);
  CHECK(m.classify({"alembic_version", "public"}, "plant") == Ownership::kOwn);
  CHECK(m.classify({"alembic_version_hq", ""}, "plant") == Ownership::kForeign);
  CHECK(m.classify({"alembic_version_plant", ""}, "hq") == Ownership::kUnknown);  // named otherwise
  CHECK(m.classify({"meta_versions", "ops"}, "plant") == Ownership::kForeign);
  CHECK(m.classify({"meta_versions", ""}, "plant") == Ownership::kUnknown);
  CHECK(m.is_version_table({"alembic_version_hq", ""}));
  CHECK_FALSE(m.is_version_table({"hq_users", ""}));
  CHECK(m.owners({"alembic_version", ""}) == std::vector<std::string_view>{"plant"});
  // Alembic's default name is never guessed: a map that does not name it leaves it unknown.
  CHECK(TargetMap::builtin().classify({"alembic_version", ""}, "plant") == Ownership::kUnknown);
  CHECK(TargetMap::builtin().classify({"alembic_version_hq", ""}, "plant") == Ownership::kForeign);
}

TEST_CASE("a version_table that is not one table name is refused") {
  CHECK_THROWS_WITH_AS(TargetMap::parse("[targets.a]\ntables = []\nversion_table = \"alembic_*\"\n", "m.toml"),
                       "m.toml: [targets.a] version_table must be one table name, not a pattern", MapError);
  CHECK_THROWS_AS(TargetMap::parse("[targets.a]\ntables = []\nversion_table = 3\n", "m.toml"), MapError);
}
