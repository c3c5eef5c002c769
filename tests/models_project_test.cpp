// The models of a project read through ModelFiles alone: every file here is held in memory (the
// paths do not exist on disk), so the import walk is shown to need no I/O of its own.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/models/project.h"

using namespace alembic_fix;
namespace fs = std::filesystem;

namespace {

class FilesInMemory : public ModelFiles {
 public:
  std::map<fs::path, std::string> files;  // absolute, normal
  std::set<fs::path> unreadable;
  std::map<fs::path, int> reads;

  Kind kind(const fs::path& path) override {
    fs::path p = path.lexically_normal();
    if (files.count(p)) return Kind::kFile;
    for (const auto& [file, bytes] : files)
      if (file.string().starts_with(p.string() + "/")) return Kind::kFolder;
    return Kind::kMissing;
  }
  Read read(const fs::path& path) override {
    fs::path p = path.lexically_normal();
    ++reads[p];
    if (unreadable.count(p)) return {std::nullopt, "cannot open: Permission denied"};
    auto it = files.find(p);
    if (it == files.end()) return {std::nullopt, "cannot open: No such file or directory"};
    return {it->second, {}};
  }
  std::vector<fs::path> python_files(const fs::path& folder) override {
    std::vector<fs::path> out;
    for (const auto& [file, bytes] : files) {
      fs::path relative = file.lexically_relative(folder);
      bool below = !relative.empty() && *relative.begin() != "..";
      bool skipped = false;
      for (const auto& part : relative.parent_path())
        skipped = skipped || part.string().starts_with(".") || part == "__pycache__";
      if (below && !skipped && file.extension() == ".py") out.push_back(file);
    }
    return out;
  }
  fs::path identity(const fs::path& path) override { return path.lexically_normal(); }
};

std::vector<std::string> tables_of(const TargetModels& target) {
  std::vector<std::string> out;
  for (const auto& t : target.tables) out.push_back(t.table.qualified() + " in " + t.path);
  return out;
}

std::vector<std::string> problems_of(const ModelsRead& read) {
  std::vector<std::string> out;
  for (const auto& p : read.problems)
    out.push_back(fmt::format("{}:{}:{}: {} {}", p.path, p.diagnostic.position.line, p.diagnostic.position.column,
                              p.diagnostic.code.id, p.diagnostic.message));
  return out;
}

}  // namespace

TEST_CASE("a models folder and the project modules it imports, read from memory") {
  FilesInMemory disk;
  disk.files["/project/pyproject.toml"] = "";
  disk.files["/project/app/plant/models/__init__.py"] = "from .tickets import Ticket\n";
  disk.files["/project/app/plant/models/tickets.py"] =
      "from app.shared import queues\nclass Ticket(Base):\n    __tablename__ = 'tickets'\n";
  disk.files["/project/app/plant/models/stations.py"] = "class Station(Base):\n    __tablename__ = 'stations'\n";
  disk.files["/project/app/plant/models/__pycache__/old.py"] = "class Old(Base):\n    __tablename__ = 'old'\n";
  disk.files["/project/app/shared/queues.py"] =
      "import sqlalchemy\nfrom sqlalchemy import Table\nq = Table('email_queue', metadata)\n";

  ModelsRead read = read_models_tree({{"plant", "app/plant/models"}}, "/project", "/project", disk);

  CHECK(problems_of(read).empty());
  REQUIRE(read.targets.size() == 1);
  CHECK(read.targets[0].sources == std::vector<std::string>{"app/plant/models"});
  // Modules of the folder in path order, then what they import; each module read once.
  CHECK(tables_of(read.targets[0]) == std::vector<std::string>{"stations in app/plant/models/stations.py",
                                                                "tickets in app/plant/models/tickets.py",
                                                                "email_queue in app/shared/queues.py"});
  for (const auto& read_count : disk.reads) CHECK_MESSAGE(read_count.second == 1, read_count.first.string());
  CHECK(disk.reads.count("/project/app/plant/models/__pycache__/old.py") == 0);
}

TEST_CASE("an import of the project that is not there, a missing path and an unreadable module are problems") {
  FilesInMemory disk;
  disk.files["/project/setup.py"] = "";
  disk.files["/project/models.py"] =
      "import sqlalchemy\nfrom app import gone\nfrom .nearby import x\nclass T(Base):\n    __tablename__ = 't'\n";
  disk.files["/project/app/__init__.py"] = "";
  disk.files["/project/secret.py"] = "";
  disk.unreadable.insert("/project/secret.py");

  ModelsRead read = read_models_tree({{"plant", "models.py"}, {"hq", "hq/models.py"}, {"hq", "secret.py"}},
                                     "/project", "/project", disk);

  CHECK(problems_of(read) ==
        std::vector<std::string>{
            "hq/models.py:0:0: AF307 no such models file or folder",
            "models.py:3:1: AF306 cannot follow the import of \".nearby\": there is no nearby.py nor nearby/, so "
            "the tables it would define cannot be read",
            "secret.py:0:0: AF307 cannot open: Permission denied",
        });
  // `from app import gone`: app is a package of the project, gone may be a name in it: not a problem.
  CHECK(tables_of(read.targets[0]) == std::vector<std::string>{"t in models.py"});
}

TEST_CASE("paths in messages are relative to the working directory, modules to their base") {
  FilesInMemory disk;
  disk.files["/work/project/models.py"] = "class T(Base):\n    __tablename__ = 't'\n";
  ModelsRead read = read_models_tree({{"plant", "models.py"}}, "/work/project", "/work", disk);
  CHECK(problems_of(read).empty());
  CHECK(tables_of(read.targets[0]) == std::vector<std::string>{"t in project/models.py"});

  ModelsRead empty = read_models_tree({{"plant", "."}}, "/nowhere", "/nowhere", disk);
  CHECK(problems_of(empty) == std::vector<std::string>{".:0:0: AF307 no such models file or folder"});
}
