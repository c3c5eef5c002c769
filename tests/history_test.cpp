// compiler/history.h: what one migration tells the history, by the byte scan or the parser, and
// how the history answers.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "compiler/history.h"

using namespace alembic_fix;

namespace {

const TargetMap& builtin() {
  static const TargetMap map = TargetMap::builtin();
  return map;
}

std::string migration(std::string_view identifiers, std::string_view upgrade, std::string_view downgrade = "pass") {
  return fmt::format("from alembic import op\nimport sqlalchemy as sa\n\n{}\n\n\ndef upgrade():\n    {}\n\n\n"
                     "def downgrade():\n    {}\n",
                     identifiers, upgrade, downgrade);
}

// "target:schema.table@line" per create.
std::vector<std::string> creates(const HistoryFile& file) {
  std::vector<std::string> out;
  for (const auto& c : file.creates) out.push_back(fmt::format("{}:{}@{}", c.target, c.table.qualified(), c.at.line));
  return out;
}

[[maybe_unused]] std::string shown(const std::vector<std::string>& v) { return fmt::format("{}", fmt::join(v, ",")); }

HistoryFile read(const std::string& text, HistoryHints hints = {}) {
  static PythonParser parser;
  return read_history_file(text, builtin(), hints, parser);
}

const std::string kIds = "revision = 'a1'\ndown_revision = None\nbranch_labels = None";

}  // namespace

TEST_CASE("the byte scan reads upgrade()'s creates and renames, with the annotation's target") {
  HistoryFile f = read(migration(kIds + "\nMIGRATION_TARGET = \"hq\"",
                                 "op.create_table('kpis', sa.Column('id', sa.Integer()), schema='reporting')\n"
                                 "    op.rename_table('old_notes', 'notes')",
                                 "op.create_table('gone', sa.Column('id', sa.Integer()))"));
  CHECK(f.migration);
  CHECK_FALSE(f.parsed);
  CHECK(f.revision == "a1");
  CHECK(shown(creates(f)) == shown({"hq:reporting.kpis@11", "hq:notes@12"}));
}

TEST_CASE("without annotation the folder decides, else --target when no literal names a mapped table") {
  std::string text = migration(kIds, "op.create_table('kpis', sa.Column('id', sa.Integer()))");
  CHECK(shown(creates(read(text, {std::nullopt, "plant"}))) == shown({"plant:kpis@10"}));
  CHECK(shown(creates(read(text, {"hq", std::nullopt}))) == shown({"hq:kpis@10"}));
  CHECK(creates(read(text)).empty());  // nothing decides it: it creates for no target
  // A mapped table in upgrade(): rule 5 may speak, so the parser decides (here: hq's hq_users).
  HistoryFile inferred = read(migration(kIds, "op.create_table('kpis', sa.Column('id', sa.Integer()))\n"
                                              "    op.add_column('hq_users', sa.Column('x', sa.Integer()))"));
  CHECK(inferred.parsed);
  CHECK(shown(creates(inferred)) == shown({"hq:kpis@10"}));
}

TEST_CASE("what the scan cannot judge is parsed, with the same answer") {
  // A helper the upgrade calls, branch_labels, typed identifiers: each read right.
  HistoryFile helper = read(migration(kIds + "\n\n\ndef _tables():\n    op.create_table('kpis')",
                                      "_tables()"),
                            {std::nullopt, "hq"});
  CHECK(helper.parsed);
  CHECK(shown(creates(helper)) == shown({"hq:kpis@10"}));
  HistoryFile labelled = read(migration("revision = 'b2'\ndown_revision = None\nbranch_labels = ('plant',)",
                                        "op.rename_table(old_table_name='a', new_table_name='b')"));
  CHECK(labelled.parsed);
  CHECK(labelled.revision == "b2");
  CHECK(shown(creates(labelled)) == shown({"plant:b@10"}));
  HistoryFile typed = read(migration("revision: str = 'c3'\ndown_revision: str | None = None\nbranch_labels = None",
                                     "op.create_table('kpis')"),
                           {std::nullopt, "plant"});
  CHECK_FALSE(typed.parsed);
  CHECK(typed.revision == "c3");
  CHECK(shown(creates(typed)) == shown({"plant:kpis@10"}));
}

TEST_CASE("a UTF-8 coding cookie is scanned, as the fixer scans it; another encoding says nothing") {
  std::string text = "# -*- coding: utf-8 -*-\n" + migration(kIds, "op.create_table('kpis')  # caf\xC3\xA9");
  HistoryFile utf8 = read(text, {std::nullopt, "plant"});
  CHECK_FALSE(utf8.parsed);
  CHECK(utf8.migration);
  CHECK(shown(creates(utf8)) == shown({"plant:kpis@11"}));
  // The same file where the scan cannot judge it (a helper): the parser's answer is the scan's.
  HistoryFile parsed = read("# -*- coding: utf-8 -*-\n" +
                                migration(kIds + "\n\n\ndef _t():\n    op.create_table('kpis')", "_t()"),
                            {std::nullopt, "plant"});
  CHECK(parsed.parsed);
  CHECK(shown(creates(parsed)) == shown({"plant:kpis@11"}));
  HistoryFile latin1 = read("# -*- coding: latin-1 -*-\n" + migration(kIds, "op.create_table('kpis')"),
                            {std::nullopt, "plant"});
  CHECK_FALSE(latin1.migration);
  CHECK(latin1.creates.empty());
}

TEST_CASE("the history: one target's creates decide, several leave it undecided") {
  TableHistory history;
  HistoryFile plant{true, "p1", {{"plant", {"line_events", ""}, {3, 5}}, {"plant", {"sync", ""}, {4, 5}}}};
  HistoryFile hq{true, "h1", {{"hq", {"sync", ""}, {3, 5}}}};
  history.add("versions/p1.py", plant);
  history.add("versions/h1.py", hq);
  REQUIRE(history.sole_creation({"line_events", ""}));
  CHECK(history.sole_creation({"line_events", ""})->path == "versions/p1.py");
  CHECK(history.sole_creation({"line_events", "other"}) == nullptr);  // schemas are part of the name
  CHECK(history.sole_creation({"sync", ""}) == nullptr);
  CHECK(history.creations({"sync", ""}).size() == 2);
  REQUIRE(history.sole_creation({"sync", ""}, "p1"));  // plant's migration judged: itself left out
  CHECK(history.sole_creation({"sync", ""}, "p1")->revision == "h1");
}

TEST_CASE("created_names: the literals after create_table( and rename_table(, by bytes") {
  CreatedNames names = created_names(
      "op.create_table('kpis',\n    sa.Column('id', sa.Integer()))\n"
      "op.create_table(\n    \"notes\", schema='reporting')\n"
      "op.rename_table(op.f('old'), new_table_name='new')\n"
      "op.create_table_comment('kpis', 'x')\n"  // not a create: another word
      "# create_table of nothing\n");
  CHECK(names.names == std::vector<std::string>{"kpis", "id", "notes", "reporting", "old", "new"});
  CHECK_FALSE(names.any);
  CHECK(created_names("op.create_table(TABLE_NAME, sa.Column('id'))").any);  // not a literal: judge always
  CHECK(created_names("op.create_table('report' '_job')").any);              // spelled in pieces
  CHECK(created_names("op.drop_table('kpis')").names.empty());
}

TEST_CASE("the scan's creates carry the line and column Source::position gives, counted in one pass") {
  std::string body;
  for (int i = 0; i < 300; ++i) body += fmt::format("op.create_table('t{}', sa.Column('é', sa.Integer()))\n    ", i);
  body += "x = 'é'; op.create_table('last', sa.Column('id', sa.Integer()))";
  std::string text = migration(kIds + "\nMIGRATION_TARGET = \"hq\"", body);
  HistoryFile f = read(text);
  REQUIRE(f.creates.size() == 301);
  CHECK_FALSE(f.parsed);
  Source src{std::string(text)};
  for (const auto& c : f.creates) {
    size_t offset = text.find(fmt::format("op.create_table('{}'", c.table.name));
    REQUIRE(offset != std::string::npos);
    Position expected = src.position(offset);
    CHECK(c.at.line == expected.line);
    CHECK(c.at.column == expected.column);
  }
  CHECK(f.creates.back().at.column == 14);  // after `x = 'é'; `: characters, not bytes
}

TEST_CASE("the scan's create positions count line endings as Source does: a lone CR ends a line") {
  std::string text = migration(kIds + "\nMIGRATION_TARGET = \"hq\"",
                               "op.create_table('a', sa.Column('id', sa.Integer()))\n"
                               "    op.create_table('b', sa.Column('id', sa.Integer()))");
  for (char& c : text)
    if (c == '\n') c = '\r';  // an old Mac file: Python reads it, and so does alembic-fix
  HistoryFile f = read(text);
  REQUIRE(f.creates.size() == 2);
  Source src{std::string(text)};
  for (const auto& c : f.creates) {
    Position expected = src.position(text.find(fmt::format("op.create_table('{}'", c.table.name)));
    CHECK(c.at.line == expected.line);
    CHECK(c.at.column == expected.column);
  }
}

TEST_CASE("the scan's reading equals the parser's on every fixture, with helpers and classes that name no op") {
  // Helpers and classes that never name op (data helpers, ORM models of a data migration) leave
  // the scan to judge; one that names op goes to the parser.
  static PythonParser parser;
  std::string data_helpers = migration(kIds + "\n\n\nclass Row:\n    def name(self):\n        return 'x'\n\n\n"
                                              "def helper(bind):\n    return bind.execute('select 1')",
                                       "op.create_table('kpis')");
  HistoryFile quiet = read(data_helpers, {std::nullopt, "plant"});
  CHECK_FALSE(quiet.parsed);
  CHECK(shown(creates(quiet)) == shown({"plant:kpis@19"}));
  CHECK(shown(creates(parse_history_file(data_helpers, builtin(), {std::nullopt, "plant"}, parser))) ==
        shown({"plant:kpis@19"}));
  // A helper with other ops: scanned when the folder decides, parsed when rule 5 might.
  std::string bind_helper = migration(kIds + "\n\n\ndef helper():\n    return op.get_bind()", "op.create_table('kpis')");
  CHECK_FALSE(read(bind_helper, {std::nullopt, "plant"}).parsed);
  CHECK(read(bind_helper, {"plant", std::nullopt}).parsed);
  CHECK(shown(creates(read(bind_helper, {"plant", std::nullopt}))) == shown({"plant:kpis@14"}));
  HistoryFile loud = read(migration(kIds + "\n\n\ndef helper():\n    op.create_table('kpis')", "helper()"),
                          {std::nullopt, "plant"});
  CHECK(loud.parsed);
  CHECK(shown(creates(loud)) == shown({"plant:kpis@10"}));

  size_t compared = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::filesystem::path(ALEMBIC_FIX_SOURCE_DIR) / "fixtures")) {
    if (entry.path().extension() != ".py") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (HistoryHints hints : {HistoryHints{}, HistoryHints{std::nullopt, "plant"}, HistoryHints{"hq", std::nullopt}}) {
      HistoryFile either = read_history_file(text, builtin(), hints, parser);
      if (either.parsed) continue;
      HistoryFile parsed = parse_history_file(text, builtin(), hints, parser);
      INFO(entry.path().string());
      if (!parsed.migration) continue;  // the scan may not know a file says nothing (it creates nothing)
      CHECK(shown(creates(either)) == shown(creates(parsed)));
      // A file that creates nothing is not scanned at all: its revision is no one's concern.
      if (!parsed.creates.empty()) CHECK(either.revision == parsed.revision);
      ++compared;
    }
  }
  CHECK(compared > 100);
}
