#include <doctest/doctest.h>

#include "compiler/models/reader.h"
#include "compiler/models/map.h"

using namespace alembic_fix;

namespace {
ModelModule read(std::string text) {
  static thread_local PythonParser parser;
  return read_models(Source(std::move(text)), parser);
}

std::vector<std::string> names(const ModelModule& m) {
  std::vector<std::string> out;
  for (const auto& t : m.tables) out.push_back(t.table.qualified());
  return out;
}
}  // namespace

TEST_CASE("tables come with the position of their class or Table call") {
  ModelModule m = read(
      "from sqlalchemy import Table\n"
      "class Ticket(Base):\n"
      "    __tablename__ = 'tickets'\n"
      "x = [Table('stations', metadata)]\n");
  REQUIRE(m.tables.size() == 2);
  CHECK(m.tables[0].table.name == "tickets");
  CHECK(m.tables[0].position.line == 2);
  CHECK(m.tables[0].position.column == 1);
  CHECK(m.tables[1].table.name == "stations");
  CHECK(m.tables[1].position.line == 4);
  CHECK(m.tables[1].position.column == 6);
  CHECK(m.problems.empty());
}

TEST_CASE("a Table that is not SQLAlchemy's is no table") {
  CHECK(names(read("from rich.table import Table\nt = Table('a', 'b')\n")).empty());
  CHECK(names(read("t = Table('a', metadata)\n")).empty());  // not imported at all
  CHECK(names(read("import sqlalchemy.schema\nt = sqlalchemy.schema.Table('a', m)\n")) ==
        std::vector<std::string>{"a"});
  CHECK(names(read("from sqlmodel import Table as T\nt = T('a', m, schema='s')\n")) ==
        std::vector<std::string>{"s.a"});
}

TEST_CASE("imports: level, module and names; TYPE_CHECKING and function bodies are not followed") {
  ModelModule m = read(
      "import a.b as ab, c\n"
      "from ...pkg.mod import x, y as z\n"
      "from . import sibling\n"
      "from typing import TYPE_CHECKING\n"
      "if TYPE_CHECKING:\n"
      "    from .hidden import H\n"
      "else:\n"
      "    from .shown import S\n"
      "try:\n"
      "    from .optional import O\n"
      "except ImportError:\n"
      "    pass\n"
      "def f():\n"
      "    from .lazy import L\n");
  std::vector<std::string> seen;
  for (const auto& i : m.imports) seen.push_back(std::string(i.level, '.') + i.module);
  CHECK(seen == std::vector<std::string>{"a.b", "c", "...pkg.mod", ".", "typing", ".shown", ".optional"});
  CHECK(m.imports[2].names == std::vector<std::string>{"x", "y"});
  CHECK(m.imports[3].names == std::vector<std::string>{"sibling"});
  CHECK(m.imports[0].position.line == 1);
}

TEST_CASE("computed names are problems, never guesses") {
  ModelModule m = read(
      "class A(Base):\n"
      "    @declared_attr\n"
      "    def __tablename__(cls):\n"
      "        return cls.__name__.lower()\n"
      "class B(Base):\n"
      "    __tablename__ = NAME\n"
      "class C(Base):\n"
      "    __tablename__ = 'c'\n"
      "    __table_args__ = {'schema': SCHEMA}\n");
  CHECK(m.tables.empty());
  REQUIRE(m.problems.size() == 3);
  CHECK(m.problems[0].code.id == "AF305");
  CHECK(m.problems[0].position.line == 2);
  CHECK(m.problems[1].position.line == 6);
  CHECK(m.problems[2].position.line == 9);
}

TEST_CASE("a module that does not parse is one AF304 and nothing else") {
  ModelModule m = read("class A(Base):\n    __tablename__ = 'a'\n    x = (\n");
  CHECK(m.tables.empty());
  CHECK(m.imports.empty());
  REQUIRE(m.problems.size() == 1);
  CHECK(m.problems[0].code.id == "AF304");
}

TEST_CASE("the rendered map is sorted, unique, and parses back to the same tables") {
  std::vector<TargetModels> models{
      {"plant", {"p.py"}, {{{"b", ""}, "p.py", {}}, {{"a", "s"}, "p.py", {}}, {{"b", ""}, "q.py", {}}}},
      {"hq", {"h.py"}, {}}};
  std::string toml = render_map(models);
  CHECK(toml.find("tables = [\n  \"b\",\n  \"s.a\",\n]\n") != std::string::npos);
  CHECK(toml.find("[targets.hq]\ntables = []\n") != std::string::npos);
  TargetMap map = TargetMap::parse(toml, "m.toml");
  CHECK(map.classify({"a", "s"}, "plant") == Ownership::kOwn);
  CHECK(find_drift(models, map).empty());
}

TEST_CASE("one drift per table: a moved table is not also a map entry without a model") {
  std::vector<TargetModels> models{{"plant", {"p.py"}, {{{"moved", ""}, "p.py", {3, 1}}}},
                                   {"hq", {"h.py"}, {{{"hq_a", ""}, "h.py", {1, 1}}}}};
  TargetMap map = TargetMap::parse("[targets.plant]\ntables = []\n[targets.hq]\ntables = [\"hq_*\", \"moved\"]\n",
                                   "m.toml");
  auto drift = find_drift(models, map);
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].diagnostic.code.id == "AF303");
  CHECK(drift[0].path == "p.py");
}
