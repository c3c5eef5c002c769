// --format github: GitHub Actions workflow commands on stdout (`::error file=...,line=...::...`),
// which the runner shows on the pull request's lines.
#include <iostream>

#include "compiler/cli/report/printer.h"

namespace alembic_fix {
namespace {

class GithubPrinter : public Printer {
 public:
  using Printer::Printer;

 private:
  void print_file(std::string_view path, const std::vector<Diagnostic>& diagnostics, const FileResult*) override {
    for (const auto& d : diagnostics)
      if (shown_alone(d)) std::cout << format_github(path, d);
  }
};

}  // namespace

std::unique_ptr<Printer> make_github_printer(const ReportSettings& settings) {
  return std::make_unique<GithubPrinter>(settings);
}

}  // namespace alembic_fix
