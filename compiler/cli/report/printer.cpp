#include "compiler/cli/report/printer.h"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

namespace alembic_fix {

void Printer::file(std::string_view path, const std::vector<Diagnostic>& diagnostics, const FileResult* outcome) {
  for (const auto& d : diagnostics) ++counts_.try_emplace(d.code.id, d.code, 0).first->second.second;
  if (settings_.verbose && outcome) explain_target(path, *outcome);
  print_file(path, diagnostics, outcome);
}

void Printer::explain_target(std::string_view path, const FileResult& r) {
  if (r.status == FileStatus::kNotMigration) {
    std::cerr << fmt::format("{}: not a migration (no module-level revision), left alone\n", path);
  } else if (!r.target.empty()) {
    std::cerr << fmt::format("{}: target {} ({}){}\n", path, r.target, r.target_evidence,
                             r.prefiltered ? "; not parsed: annotated, names no other target's table" : "");
  }
}

bool Printer::shown_alone(const Diagnostic& d) const {
  return !settings_.statistics && !(settings_.quiet && d.code.severity == Severity::kFix);
}

void Printer::statistics_table() const {
  std::vector<std::pair<Code, size_t>> rows;
  for (const auto& [id, row] : counts_) rows.push_back(row);
  std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second > b.second; });
  for (const auto& [code, n] : rows)
    std::cerr << fmt::format("{:>7}  {}  {} ({})\n", n, code.id, code.name, severity_name(code.severity));
}

void Printer::finish(const Summary& summary) {
  print_end(summary);
  if (settings_.statistics) statistics_table();
  if (!settings_.quiet) std::cerr << "alembic-fix: " << summary.line << "\n";
  std::cout.flush();
}

std::unique_ptr<Printer> make_printer(const ReportSettings& settings) {
  switch (settings.format) {
    case OutputFormat::kText: return make_text_printer(settings);
    case OutputFormat::kJson: return make_json_printer(settings);
    case OutputFormat::kGithub: return make_github_printer(settings);
    case OutputFormat::kSarif: return make_sarif_printer(settings);
  }
  return make_text_printer(settings);
}

}  // namespace alembic_fix
