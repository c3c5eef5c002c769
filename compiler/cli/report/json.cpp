// --format json: one document on stdout (schema 1, stable: fields are only ever added). The
// fix command's files carry their status and target; the maps command's only their diagnostics.
#include <iostream>

#include <fmt/format.h>

#include "compiler/cli/report/printer.h"

namespace alembic_fix {
namespace {

std::string_view status_name(FileStatus s, bool check) {
  switch (s) {
    case FileStatus::kChanged: return check ? "would-fix" : "fixed";
    case FileStatus::kUnchanged: return "unchanged";
    case FileStatus::kNotMigration: return "not-migration";
    case FileStatus::kError: return "error";
  }
  return "";
}

std::string json_diagnostic(const Diagnostic& d) {
  return fmt::format(R"({{"line": {}, "column": {}, "code": "{}", "name": "{}", "severity": "{}", "message": {}}})",
                     d.position.line, d.position.column, d.code.id, d.code.name, severity_name(d.code.severity),
                     json_string(d.message));
}

// What the fix command knows of a file beyond its diagnostics.
std::string json_outcome(const FileResult& r, bool check) {
  std::string target = r.target.empty() ? "null" : json_string(r.target);
  std::string rule = r.target.empty() ? "null" : json_string(rule_name(r.target_rule));
  return fmt::format(R"(, "status": "{}", "target": {}, "decided_by": {})", status_name(r.status, check), target,
                     rule);
}

class JsonPrinter : public Printer {
 public:
  using Printer::Printer;

  void begin() override {
    std::cout << fmt::format(R"({{"schema": 1, "tool": {{"name": "alembic-fix", "version": "{}"}}, "files": [)",
                             ALEMBIC_FIX_VERSION);
  }

 private:
  void print_file(std::string_view path, const std::vector<Diagnostic>& diagnostics,
                  const FileResult* outcome) override {
    std::vector<std::string> items;
    for (const auto& d : diagnostics) items.push_back(json_diagnostic(d));
    std::cout << (first_file_ ? "\n  " : ",\n  ")
              << fmt::format(R"({{"path": {}{}, "diagnostics": [{}]}})", json_string(path),
                             outcome ? json_outcome(*outcome, settings_.check) : "", fmt::join(items, ", "));
    first_file_ = false;
  }

  void print_end(const Summary& summary) override {
    std::vector<std::string> statistics, counts;
    for (const auto& [id, row] : counts_) statistics.push_back(fmt::format(R"("{}": {})", id, row.second));
    for (const auto& [name, n] : summary.counts) counts.push_back(fmt::format(R"("{}": {})", name, n));
    std::cout << fmt::format(R"({}], "statistics": {{{}}}, "summary": {{{}}}, "exit_code": {}}})"
                             "\n",
                             first_file_ ? "" : "\n", fmt::join(statistics, ", "), fmt::join(counts, ", "),
                             summary.exit_status);
  }

  // The document says each file's target and rule; no line on stderr for it.
  void explain_target(std::string_view, const FileResult&) override {}

  bool first_file_ = true;
};

}  // namespace

std::unique_ptr<Printer> make_json_printer(const ReportSettings& settings) {
  return std::make_unique<JsonPrinter>(settings);
}

}  // namespace alembic_fix
