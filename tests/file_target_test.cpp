#include <doctest/doctest.h>

#include "compiler/file_target.h"

using namespace alembic_fix;

namespace {

// Decides the target of `text` with the built-in map; "" + the code id when it is an error.
struct Decided {
  std::string target;
  std::string rule;
  std::string error;  // the code id
  std::string message;
};

Decided decide(const std::string& text, std::optional<std::string> option = {},
               std::optional<std::string> folder = {}) {
  static const TargetMap maps = TargetMap::builtin();
  PythonParser parser;
  SyntaxTree tree = parser.parse(text);
  Source src(text);
  Migration view = read_migration(tree);
  auto d = decide_target(src, view, maps, {option, false, folder});
  if (auto* e = std::get_if<Diagnostic>(&d)) return {"", "", std::string(e->code.id), e->message};
  auto& ok = std::get<TargetDecision>(d);
  return {ok.target, std::string(rule_name(ok.rule)), "", ok.evidence};
}

const std::string kHead = "revision = 'a'\ndown_revision = None\n";
const std::string kPlantUpgrade =
    "def upgrade():\n    op.add_column('tickets', sa.Column('x', sa.Integer()))\n    op.drop_table('hq_plants')\n";

}  // namespace

TEST_CASE("each rule decides when the stronger ones are silent") {
  CHECK(decide(kHead + "MIGRATION_TARGET = 'hq'\n").rule == "annotation");
  CHECK(decide(kHead + "MIGRATION_TARGET = 'hq'\n").target == "hq");
  CHECK(decide(kHead, "plant").rule == "--target");
  auto labels = decide("revision = 'a'\nbranch_labels = ('hq',)\n");
  CHECK(labels.target == "hq");
  CHECK(labels.rule == "branch_labels");
  auto folder = decide(kHead, {}, "plant");
  CHECK(folder.target == "plant");
  CHECK(folder.rule == "folder");
  auto inferred = decide(kHead + kPlantUpgrade);
  CHECK(inferred.target == "plant");
  CHECK(inferred.rule == "upgrade tables");
  CHECK(inferred.message == "upgrade() creates or alters tickets");
}

TEST_CASE("the annotation outranks the weaker rules when no target is given") {
  CHECK(decide("revision = 'a'\nbranch_labels = 'hq'\nMIGRATION_TARGET = 'plant'\n", {}, "hq").target == "plant");
}

TEST_CASE("drops, downgrades and shared tables are no evidence") {
  auto only_drops = decide(kHead + "def upgrade():\n    op.drop_table('hq_plants')\n"
                           "def downgrade():\n    op.create_table('hq_plants')\n");
  CHECK(only_drops.error == "AF206");
  CHECK(decide(kHead + "def upgrade():\n    op.create_table('dead_letter')\n").error == "AF206");
  CHECK(decide(kHead + "def upgrade():\n    op.create_table('widgets')\n").error == "AF206");
}

TEST_CASE("an upgrade touching both targets' tables decides nothing, and says why") {
  auto mixed = decide(kHead + "def upgrade():\n    op.create_table('hq_users')\n    op.create_table('stations')\n");
  CHECK(mixed.error == "AF206");
  CHECK(mixed.message.find("hq_users (hq) and stations (plant)") != std::string::npos);
}

TEST_CASE("a target given that disagrees with any rule is a conflict") {
  CHECK(decide(kHead + "MIGRATION_TARGET = 'hq'\n", "plant").error == "AF202");
  CHECK(decide("revision = 'a'\nbranch_labels = ['hq']\n", "plant").error == "AF202");
  CHECK(decide(kHead, "plant", "hq").error == "AF202");
  auto upgrade = decide(kHead + kPlantUpgrade, "hq");
  CHECK(upgrade.error == "AF202");
  CHECK(upgrade.message.find("creates or alters tickets, which are plant's") != std::string::npos);
  // Agreement is fine, and the annotation is named as the rule that decided.
  CHECK(decide(kHead + "MIGRATION_TARGET = 'plant'\n" + kPlantUpgrade, "plant").rule == "annotation");
}

TEST_CASE("branch labels that name no target are not an opinion") {
  CHECK(decide("revision = 'a'\nbranch_labels = ('feature_x',)\n", "hq").target == "hq");
}
