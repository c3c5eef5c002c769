// Flask-SQLAlchemy models: `__bind_key__`, `db.Table(..., bind_key=...)`, and db.Table at all.
#include <doctest/doctest.h>

#include "compiler/models/reader.h"

using namespace alembic_fix;

namespace {
ModelModule read(std::string text) {
  static thread_local PythonParser parser;
  return read_models(Source(std::move(text)), parser);
}

// "bind:table" per table, document order; "" is the default bind.
std::vector<std::string> bound(const ModelModule& m) {
  std::vector<std::string> out;
  for (const auto& t : m.tables) out.push_back(t.bind_key + ":" + t.table.qualified());
  return out;
}

const char* kApp =
    "from flask_sqlalchemy import SQLAlchemy\n"
    "db = SQLAlchemy()\n";
}  // namespace

TEST_CASE("__bind_key__ names the bind of a model class; none is the default bind") {
  ModelModule m = read(std::string(kApp) +
                       "class Plant(db.Model):\n"
                       "    __tablename__ = 'hq_plants'\n"
                       "    __bind_key__ = 'hq'\n"
                       "class User(db.Model):\n"
                       "    __tablename__ = 'users'\n"
                       "class Old(db.Model):\n"
                       "    __bind_key__ = None\n"
                       "    __tablename__ = 'legacy'\n");
  CHECK(bound(m) == std::vector<std::string>{"hq:hq_plants", ":users", ":legacy"});
  CHECK(m.problems.empty());
}

TEST_CASE("db.Table is a table, with its bind_key and schema") {
  ModelModule m = read(std::string(kApp) +
                       "links = db.Table('plant_links', db.Column('id', db.Integer), bind_key='hq')\n"
                       "tags = db.Table('asset_tags', db.Column('id', db.Integer), schema='plant')\n");
  CHECK(bound(m) == std::vector<std::string>{"hq:plant_links", ":plant.asset_tags"});
  REQUIRE(m.tables.size() == 2);
  CHECK(m.tables[0].position.line == 3);
  CHECK(m.tables[0].position.column == 9);
}

TEST_CASE("the extension may be imported as a module or under another name") {
  CHECK(bound(read("import flask_sqlalchemy\nstore = flask_sqlalchemy.SQLAlchemy(app)\n"
                   "t = store.Table('a', bind_key='hq')\n")) == std::vector<std::string>{"hq:a"});
  CHECK(bound(read("from flask_sqlalchemy import SQLAlchemy as FSA\nx = FSA()\nt = x.Table('b')\n")) ==
        std::vector<std::string>{":b"});
}

TEST_CASE("a .Table on something that is not a Flask-SQLAlchemy extension is no table") {
  CHECK(read("db = Something()\nt = db.Table('a')\n").tables.empty());
  CHECK(read("from rich import SQLAlchemy\ndb = SQLAlchemy()\nt = db.Table('a')\n").tables.empty());
  CHECK(read(std::string(kApp) + "t = db.Tables('a')\n").tables.empty());
}

TEST_CASE("a bind key that is not a literal is reported, and its table left out") {
  ModelModule m = read(std::string(kApp) +
                       "class Plant(db.Model):\n"
                       "    __tablename__ = 'hq_plants'\n"
                       "    __bind_key__ = BIND\n"
                       "t = db.Table('links', bind_key=choose())\n");
  CHECK(m.tables.empty());
  REQUIRE(m.problems.size() == 2);
  CHECK(m.problems[0].code.id == "AF305");
  CHECK(m.problems[0].position.line == 5);
  CHECK(m.problems[0].message == "class Plant: the bind key is not a string literal, so the table's database cannot be read");
  CHECK(m.problems[1].position.line == 6);
  CHECK(m.problems[1].message == "Table(\"links\"): the bind key is not a string literal, so the table's database cannot be read");
}

TEST_CASE("bind_key on SQLAlchemy's own Table is not Flask-SQLAlchemy's and is not read") {
  ModelModule m = read("from sqlalchemy import Table\nt = Table('a', metadata, bind_key='hq')\n");
  CHECK(bound(m) == std::vector<std::string>{":a"});
}
