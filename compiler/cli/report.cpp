#include "compiler/cli/report.h"
#include "passes/pass.h"

#include <algorithm>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include "compiler/cli/files.h"

namespace alembic_fix {
namespace {

std::string_view status_name(FileStatus s, Mode mode) {
  switch (s) {
    case FileStatus::kChanged: return mode == Mode::kWrite ? "fixed" : "would-fix";
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

std::string_view sarif_level(Severity s, Mode mode) {
  if (s == Severity::kError) return "error";
  if (s == Severity::kWarning) return "warning";
  return mode == Mode::kWrite ? "note" : "warning";  // a fix still to make is a finding
}

}  // namespace

Reporter::Reporter(const RunOptions& options) : options_(options), color_(files::use_color()) {}

void Reporter::begin() {
  if (options_.format == OutputFormat::kJson) {
    std::cout << fmt::format(R"({{"schema": 1, "tool": {{"name": "alembic-fix", "version": "{}"}}, "files": [)",
                             ALEMBIC_FIX_VERSION);
  } else if (options_.format == OutputFormat::kSarif) {
    std::vector<std::string> rules;
    for (const Code& c : all_codes())
      rules.push_back(fmt::format(
          R"({{"id": "{}", "name": "{}", "shortDescription": {{"text": {}}}, "defaultConfiguration": {{"level": "{}"}}}})",
          c.id, c.name, json_string(c.summary), sarif_level(c.severity, options_.mode)));
    std::cout << fmt::format(
        R"({{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "alembic-fix", "version": "{}", "rules": [{}]}}}}, "columnKind": "unicodeCodePoints", "results": [)",
        ALEMBIC_FIX_VERSION, fmt::join(rules, ", "));
  }
}

void Reporter::file(const std::string& path, const FileResult& r) {
  switch (r.status) {
    case FileStatus::kChanged: ++changed_; break;
    case FileStatus::kUnchanged: ++unchanged_; break;
    case FileStatus::kNotMigration: ++skipped_; break;
    case FileStatus::kError: ++failed_; break;
  }
  for (const auto& d : r.diagnostics) ++counts_.try_emplace(d.code.id, d.code, 0).first->second.second;
  if (options_.verbose && options_.format != OutputFormat::kJson) verbose_line(path, r);
  switch (options_.format) {
    case OutputFormat::kJson: json_file(path, r); break;
    case OutputFormat::kSarif:
      for (const auto& d : r.diagnostics) sarif_result(path, d);
      break;
    case OutputFormat::kText:
    case OutputFormat::kGithub:
      if (options_.statistics) break;
      for (const auto& d : r.diagnostics) {
        if (options_.quiet && d.code.severity == Severity::kFix) continue;
        if (options_.format == OutputFormat::kText) std::cerr << format_text(path, d, color_);
        else std::cout << format_github(path, d);
      }
      break;
  }
  if (!r.diff.empty()) std::cout << r.diff;
}

void Reporter::verbose_line(const std::string& path, const FileResult& r) {
  if (r.status == FileStatus::kNotMigration) {
    std::cerr << fmt::format("{}: not a migration (no module-level revision), left alone\n", path);
  } else if (!r.target.empty()) {
    std::cerr << fmt::format("{}: target {} ({}){}\n", path, r.target, r.target_evidence,
                             r.prefiltered ? "; not parsed: annotated, names no other target's table" : "");
  }
}

void Reporter::json_file(const std::string& path, const FileResult& r) {
  std::vector<std::string> items;
  for (const auto& d : r.diagnostics) items.push_back(json_diagnostic(d));
  std::string target = r.target.empty() ? "null" : json_string(r.target);
  std::string rule = r.target.empty() ? "null" : json_string(rule_name(r.target_rule));
  std::cout << (first_item_ ? "\n  " : ",\n  ")
            << fmt::format(R"({{"path": {}, "status": "{}", "target": {}, "decided_by": {}, "diagnostics": [{}]}})",
                           json_string(path), status_name(r.status, options_.mode), target, rule,
                           fmt::join(items, ", "));
  first_item_ = false;
}

void Reporter::sarif_result(const std::string& path, const Diagnostic& d) {
  std::string region = d.position.line ? fmt::format(R"(, "region": {{"startLine": {}, "startColumn": {}}})",
                                                     d.position.line, d.position.column)
                                       : "";
  std::cout << (first_item_ ? "\n  " : ",\n  ")
            << fmt::format(
                   R"({{"ruleId": "{}", "level": "{}", "message": {{"text": {}}}, "locations": [{{"physicalLocation": {{"artifactLocation": {{"uri": {}}}{}}}}}]}})",
                   d.code.id, sarif_level(d.code.severity, options_.mode), json_string(d.message),
                   json_string(sarif_uri(path)), region);
  first_item_ = false;
}

void Reporter::statistics_table() {
  std::vector<std::pair<Code, size_t>> rows;
  for (const auto& [id, row] : counts_) rows.push_back(row);
  std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second > b.second; });
  for (const auto& [code, n] : rows)
    std::cerr << fmt::format("{:>7}  {}  {} ({})\n", n, code.id, code.name, severity_name(code.severity));
}

int Reporter::finish() {
  int status = failed_ ? 2 : (options_.mode != Mode::kWrite && changed_) ? 1 : 0;
  if (options_.format == OutputFormat::kJson) {
    std::vector<std::string> counts;
    for (const auto& [id, row] : counts_) counts.push_back(fmt::format(R"("{}": {})", id, row.second));
    std::cout << fmt::format(
        R"({}], "statistics": {{{}}}, "summary": {{"changed": {}, "unchanged": {}, "not_migration": {}, "failed": {}}}, "exit_code": {}}})"
        "\n",
        first_item_ ? "" : "\n", fmt::join(counts, ", "), changed_, unchanged_, skipped_, failed_, status);
  } else if (options_.format == OutputFormat::kSarif) {
    std::cout << fmt::format(R"({}], "invocations": [{{"executionSuccessful": {}, "exitCode": {}}}]}}]}})"
                             "\n",
                             first_item_ ? "" : "\n", failed_ ? "false" : "true", status);
  }
  if (options_.statistics) statistics_table();
  if (!options_.quiet) {
    bool check = options_.mode != Mode::kWrite;
    std::string line = fmt::format("{} {} {}", changed_, changed_ == 1 ? "file" : "files",
                                   check ? "would be fixed" : "fixed");
    line += fmt::format(", {} unchanged", unchanged_);
    if (skipped_) line += fmt::format(", {} not migrations", skipped_);
    if (failed_) line += fmt::format(", {} failed", failed_);
    std::cerr << "alembic-fix: " << line << ".\n";
  }
  std::cout.flush();
  return status;
}

}  // namespace alembic_fix
