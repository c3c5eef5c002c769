#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/prefilter.h"
#include "passes/pass.h"

using namespace alembic_fix;
namespace fs = std::filesystem;

TEST_CASE("every registered pass is covered by the prefilter's proof") {
  // A pass that is not (silent_when left at kNotCovered, or relying on a fact the scan does not
  // prove) turns the prefilter off for every file: say under which facts it is silent.
  for (const Pass* pass : all_passes()) {
    CAPTURE(pass->name);
    CHECK(prefilter_proves(pass->silent_when));
  }
  CHECK(prefilter_covers_passes());
}

TEST_CASE("passes have distinct names and own at least one code each, which no one else defines") {
  std::set<std::string_view> names, ids;
  for (const Pass* pass : all_passes()) {
    CAPTURE(pass->name);
    CHECK(names.insert(pass->name).second);
    CHECK_FALSE(pass->codes.empty());
    for (const Code& code : pass->codes) {
      CAPTURE(code.id);
      CHECK(ids.insert(code.id).second);
      CHECK(std::none_of(std::begin(codes::kCompiler), std::end(codes::kCompiler),
                         [&](const Code& c) { return c.id == code.id; }));
    }
  }
}

TEST_CASE("the code table holds every pass's and the compiler's codes, once each, in id order") {
  std::vector<std::string_view> ids;
  for (const Code& code : all_codes()) ids.push_back(code.id);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  for (std::string_view id : {"AF001", "AF002", "AF003", "AF101", "AF102", "AF103", "AF201", "AF207", "AF301",
                              "AF302", "AF303", "AF304", "AF305", "AF306", "AF307"})
    CHECK(std::find(ids.begin(), ids.end(), id) != ids.end());
  auto unknown = std::find_if(all_codes().begin(), all_codes().end(), [](const Code& c) { return c.id == "AF102"; });
  REQUIRE(unknown != all_codes().end());
  CHECK(unknown->severity == Severity::kWarning);  // its default; an error only with --unknown error
}

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("on every fixture the prefilter accepts, each pass on its own has nothing to say") {
  // The passes' silent_when claims, checked on real files rather than taken on trust.
  static const TargetMap maps = TargetMap::builtin();
  static const PassConfig config;
  PythonParser parser;
  int accepted = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(ALEMBIC_FIX_SOURCE_DIR) / "fixtures")) {
    if (entry.path().extension() != ".py") continue;
    std::string bytes = read(entry.path());
    auto target = proven_clean(bytes, maps, {});
    if (!target) continue;
    ++accepted;
    Source src(bytes);
    SyntaxTree tree = parser.parse(src.text());
    Migration view = read_migration(tree);
    PassInput input{src, tree, view, *target, maps, config};
    for (const Pass* pass : all_passes()) {
      CAPTURE(entry.path().string());
      CAPTURE(pass->name);
      PassOutput out = pass->run(input);
      CHECK(out.removals.empty());
      CHECK(out.edits.empty());
      CHECK(out.diagnostics.empty());
    }
  }
  CHECK(accepted > 0);
}
