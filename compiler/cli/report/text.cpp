// --format text (the default): `path:line:col: CODE message` on stderr, coloured on a terminal
// unless NO_COLOR is set.
#include <iostream>

#include "compiler/cli/files.h"
#include "compiler/cli/report/printer.h"

namespace alembic_fix {
namespace {

class TextPrinter : public Printer {
 public:
  explicit TextPrinter(const ReportSettings& settings) : Printer(settings), color_(files::use_color()) {}

 private:
  void print_file(std::string_view path, const std::vector<Diagnostic>& diagnostics, const FileResult*) override {
    for (const auto& d : diagnostics)
      if (shown_alone(d)) std::cerr << format_text(path, d, color_);
  }

  bool color_;
};

}  // namespace

std::unique_ptr<Printer> make_text_printer(const ReportSettings& settings) {
  return std::make_unique<TextPrinter>(settings);
}

}  // namespace alembic_fix
