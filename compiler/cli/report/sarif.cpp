// --format sarif: SARIF 2.1.0 on stdout for code scanning; every code the command can report is
// a rule, each diagnostic a result.
#include <cctype>
#include <iostream>

#include <fmt/format.h>

#include "compiler/cli/report/printer.h"

namespace alembic_fix {
namespace {

// A relative URI reference for SARIF: the path's bytes, percent-encoded where a URI needs it.
std::string sarif_uri(std::string_view path) {
  std::string out = path.starts_with('/') ? "file://" : "";
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("-._~/").find(static_cast<char>(c)) != std::string_view::npos)
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string_view sarif_level(Severity s, bool check) {
  if (s == Severity::kError) return "error";
  if (s == Severity::kWarning) return "warning";
  return check ? "warning" : "note";  // a fix still to make is a finding
}

class SarifPrinter : public Printer {
 public:
  using Printer::Printer;

  void begin() override {
    std::vector<std::string> rules;
    for (const Code& c : settings_.rules)
      rules.push_back(fmt::format(
          R"({{"id": "{}", "name": "{}", "shortDescription": {{"text": {}}}, "defaultConfiguration": {{"level": "{}"}}}})",
          c.id, c.name, json_string(c.summary), sarif_level(c.severity, settings_.check)));
    std::cout << fmt::format(
        R"({{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "alembic-fix", "version": "{}", "rules": [{}]}}}}, "columnKind": "unicodeCodePoints", "results": [)",
        ALEMBIC_FIX_VERSION, fmt::join(rules, ", "));
  }

 private:
  void print_file(std::string_view path, const std::vector<Diagnostic>& diagnostics, const FileResult*) override {
    for (const auto& d : diagnostics) result(path, d);
  }

  void result(std::string_view path, const Diagnostic& d) {
    std::string region = d.position.line ? fmt::format(R"(, "region": {{"startLine": {}, "startColumn": {}}})",
                                                       d.position.line, d.position.column)
                                         : "";
    std::cout << (first_result_ ? "\n  " : ",\n  ")
              << fmt::format(
                     R"({{"ruleId": "{}", "level": "{}", "message": {{"text": {}}}, "locations": [{{"physicalLocation": {{"artifactLocation": {{"uri": {}}}{}}}}}]}})",
                     d.code.id, sarif_level(d.code.severity, settings_.check), json_string(d.message),
                     json_string(sarif_uri(path)), region);
    first_result_ = false;
  }

  void print_end(const Summary& summary) override {
    std::cout << fmt::format(R"({}], "invocations": [{{"executionSuccessful": {}, "exitCode": {}}}]}}]}})"
                             "\n",
                             first_result_ ? "" : "\n", summary.exit_status == 2 ? "false" : "true",
                             summary.exit_status);
  }

  bool first_result_ = true;
};

}  // namespace

std::unique_ptr<Printer> make_sarif_printer(const ReportSettings& settings) {
  return std::make_unique<SarifPrinter>(settings);
}

}  // namespace alembic_fix
