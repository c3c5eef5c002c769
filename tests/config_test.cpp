// Project configuration read through ConfigReader alone: files held in memory, every read counted.
#include <doctest/doctest.h>

#include <map>

#include "compiler/cli/config.h"

using namespace alembic_fix;
namespace fs = std::filesystem;

namespace {

struct FilesInMemory {
  std::map<fs::path, std::string> files;
  std::map<fs::path, int> reads;

  ConfigReader reader() {
    return {[this](const fs::path& p) {
              ++reads[p];
              auto it = files.find(p);
              if (it == files.end()) throw ConfigError(p.string() + ": cannot open");
              return it->second;
            },
            [this](const fs::path& p) -> std::optional<std::string> {
              ++reads[p];
              auto it = files.find(p);
              if (it == files.end()) return std::nullopt;
              return it->second;
            }};
  }
};

}  // namespace

TEST_CASE("one pyproject.toml holding both [tool.alembic-fix] and [tool.alembic] is read and parsed once") {
  FilesInMemory fs;
  fs.files["/proj/pyproject.toml"] =
      "[tool.alembic]\nscript_location = \"migrations\"\n"
      "[tool.alembic-fix.targets.plant]\ntables = [\"stations\"]\n"
      "[tool.alembic-fix.targets.hq]\ntables = [\"hq_users\"]\n";
  ProjectConfig config("/proj/app", fs.reader());
  TargetMap map = config.load_maps(std::nullopt);
  REQUIRE(map.targets().size() == 2);
  AlembicConfig alembic = config.find_alembic(std::nullopt);
  CHECK(alembic.root == fs::path("/proj"));
  CHECK(alembic.script_location == fs::path("/proj/migrations"));
  CHECK(fs.reads["/proj/pyproject.toml"] == 1);
  // Looking again costs no read either.
  config.alembic_in("/proj");
  CHECK(fs.reads["/proj/pyproject.toml"] == 1);
}

TEST_CASE("a folder without pyproject.toml is looked at once, however often it is asked") {
  FilesInMemory fs;
  fs.files["/proj/alembic.ini"] = "[alembic]\nscript_location = %(here)s/migrations\n";
  ProjectConfig config("/proj", fs.reader());
  config.load_maps(std::nullopt);
  AlembicConfig alembic = config.find_alembic(std::nullopt);
  CHECK(alembic.script_location == fs::path("/proj/migrations"));
  CHECK(fs.reads["/proj/pyproject.toml"] == 1);
}
