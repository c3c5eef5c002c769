// The README's and the man page's tables of diagnostic codes against the code table itself
// (all_codes(): the compiler's codes and each registered pass's), so a new or renamed code
// cannot go undocumented. The wording is the documents' own; ids, names and kinds are checked.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "passes/pass.h"

using namespace alembic_fix;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const Code* find_code(std::string_view id) {
  for (const Code& code : all_codes())
    if (code.id == id) return &code;
  return nullptr;
}

// The row the documentation should have for a code, to paste when one is missing.
std::string markdown_row(const Code& code) {
  return fmt::format("| {} | {} | {} | {} |", code.id, code.name, severity_name(code.severity), code.summary);
}

// A documented kind fits a severity: the README calls the models' warnings "drift".
bool kind_fits(std::string_view kind, Severity severity) {
  if (severity == Severity::kWarning && kind.starts_with("drift")) return true;
  return kind.starts_with(severity_name(severity));
}

struct Documented {
  std::string name;  // empty for a range row (AF301-AF307)
  std::string kind;  // empty in the man page, which has no kind column
};

void check_against_code_table(const std::map<std::string, Documented>& documented) {
  for (const Code& code : all_codes()) {
    CAPTURE(markdown_row(code));
    auto it = documented.find(std::string(code.id));
    REQUIRE_MESSAGE(it != documented.end(), "undocumented code");
    if (!it->second.name.empty()) CHECK(it->second.name == code.name);
    if (!it->second.kind.empty()) CHECK(kind_fits(it->second.kind, code.severity));
  }
  for (const auto& entry : documented) {
    const std::string& id = entry.first;
    CAPTURE(id);
    CHECK_MESSAGE(find_code(id) != nullptr, "documented code that does not exist");
  }
}

}  // namespace

TEST_CASE("the README's table of codes is the code table") {
  std::string readme = read(fs::path(ALEMBIC_FIX_SOURCE_DIR) / "README.md");
  static const std::regex row(R"(\n\| (AF\d{3}) \| ([a-z0-9-]+) \| ([^|]+) \|)");
  std::map<std::string, Documented> documented;
  for (auto it = std::sregex_iterator(readme.begin(), readme.end(), row); it != std::sregex_iterator(); ++it)
    CHECK_MESSAGE(documented.emplace((*it)[1], Documented{(*it)[2], (*it)[3]}).second, "a code twice: ", (*it)[1]);
  check_against_code_table(documented);
}

TEST_CASE("the man page's DIAGNOSTICS are the code table") {
  std::string page = read(fs::path(ALEMBIC_FIX_SOURCE_DIR) / "docs" / "alembic-fix.1");
  // `.B AF001 wrong\-target\-drop`, or a range `.B AF301\(enAF307` documented as one item.
  static const std::regex item(R"(\n\.B AF(\d{3})(?:\\\(enAF(\d{3}))?(?: ([a-z0-9\\-]+))?\n)");
  std::map<std::string, Documented> documented;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), item); it != std::sregex_iterator(); ++it) {
    int first = std::stoi((*it)[1]);
    int last = (*it)[2].matched ? std::stoi((*it)[2]) : first;
    std::string name = std::regex_replace(std::string((*it)[3]), std::regex(R"(\\-)"), "-");
    for (int n = first; n <= last; ++n)
      CHECK(documented.emplace(fmt::format("AF{:03}", n), Documented{first == last ? name : "", ""}).second);
  }
  check_against_code_table(documented);
}
