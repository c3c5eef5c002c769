// What a command prints: each file's diagnostics as they arrive (in path order), then what closes
// the report. One printer per --format, chosen once per run; both commands (fix, maps) print
// through it. The command decides the exit status and hands it over: a printer only prints.
// Streams as it goes, so a report never holds more than one file.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/pipeline.h"

namespace alembic_fix {

struct ReportSettings {
  OutputFormat format = OutputFormat::kText;
  bool check = false;       // nothing is written (--check, --diff): a fix still to make is a finding
  bool quiet = false;       // warnings and errors only, no summary line
  bool verbose = false;     // say which rule decided each file's target
  bool statistics = false;  // a count per code instead of each diagnostic
  std::span<const Code> rules;  // every code the command can report (SARIF lists them)
};

// What closes a report, as the command sums it up.
struct Summary {
  std::string line;  // the closing sentence on stderr, after "alembic-fix: "
  std::vector<std::pair<std::string_view, size_t>> counts;  // json "summary": {"changed": 1, ...}
  int exit_status = 0;
};

class Printer {
 public:
  explicit Printer(const ReportSettings& settings) : settings_(settings) {}
  virtual ~Printer() = default;

  virtual void begin() {}
  // One file's diagnostics. `outcome` is the fix command's result for it (status, target);
  // the maps command has none.
  void file(std::string_view path, const std::vector<Diagnostic>& diagnostics, const FileResult* outcome);
  // The format's closing, then the --statistics table and the summary line on stderr.
  void finish(const Summary& summary);

 protected:
  virtual void print_file(std::string_view path, const std::vector<Diagnostic>& diagnostics,
                          const FileResult* outcome) = 0;
  virtual void print_end(const Summary&) {}
  // The --verbose line on stderr; a format whose document carries the target says nothing.
  virtual void explain_target(std::string_view path, const FileResult& outcome);
  // Whether a diagnostic is printed on its own line under --quiet and --statistics.
  bool shown_alone(const Diagnostic& d) const;

  const ReportSettings settings_;
  std::map<std::string_view, std::pair<Code, size_t>> counts_;  // per code id, for statistics

 private:
  void statistics_table() const;
};

// The printer for settings.format: the only place the format is looked at.
std::unique_ptr<Printer> make_printer(const ReportSettings& settings);

// One per format, each in its own file.
std::unique_ptr<Printer> make_text_printer(const ReportSettings& settings);
std::unique_ptr<Printer> make_json_printer(const ReportSettings& settings);
std::unique_ptr<Printer> make_github_printer(const ReportSettings& settings);
std::unique_ptr<Printer> make_sarif_printer(const ReportSettings& settings);

}  // namespace alembic_fix
