// The folders are layers and include only downwards, so there is no cycle between them:
//
//   compiler/cli/     the application: options, files, printers  -> everything below
//   compiler/models/  the models front end                       -> compiler/
//   passes/           the passes and their shared drop rules     -> compiler/
//   compiler/         the pure compiler                          -> compiler/ only
//
// with one seam: compiler/pipeline.cpp runs the registered passes, so it (and no compiler
// header) includes passes/pass.h.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The project's own includes of a source file: "compiler/x.h", "passes/y.h".
std::vector<std::string> includes(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  static const std::regex include(R"(#include\s+"([^"]+)\")");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), include); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

bool under(const std::string& path, const std::string& folder) { return path.rfind(folder, 0) == 0; }

// The layer a path is in: cli, models, passes or compiler.
std::string layer(const std::string& path) {
  if (under(path, "compiler/cli/")) return "cli";
  if (under(path, "compiler/models/")) return "models";
  if (under(path, "passes/")) return "passes";
  return "compiler";
}

bool allowed(const std::string& from, const std::string& to) {
  std::string a = layer(from), b = layer(to);
  if (a == "cli" || a == b || b == "compiler") return true;
  return from == "compiler/pipeline.cpp" && to == "passes/pass.h";
}

}  // namespace

TEST_CASE("folders include only downwards: compiler <- passes, models <- cli") {
  const fs::path root = ALEMBIC_FIX_SOURCE_DIR;
  int files = 0;
  for (const char* folder : {"compiler", "passes"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cpp") continue;
      std::string from = fs::relative(entry.path(), root).generic_string();
      ++files;
      for (const std::string& to : includes(entry.path())) {
        if (!under(to, "compiler/") && !under(to, "passes/")) continue;
        CAPTURE(from);
        CAPTURE(to);
        CHECK(allowed(from, to));
      }
    }
  }
  CHECK(files > 20);
}
