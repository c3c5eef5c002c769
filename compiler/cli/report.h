// What a run prints: each file's diagnostics as they arrive (in path order), in the chosen
// format, then the counts and the summary line. Streams as it goes, so a report never holds
// more than one file.
#pragma once

#include <map>
#include <string>

#include "compiler/cli/fix.h"
#include "compiler/pipeline.h"

namespace alembic_fix {

class Reporter {
 public:
  explicit Reporter(const RunOptions& options);

  void begin();
  void file(const std::string& path, const FileResult& result);
  // Prints what closes the report; returns the exit status (see fix.h).
  int finish();

 private:
  void json_file(const std::string& path, const FileResult& result);
  void sarif_result(const std::string& path, const Diagnostic& d);
  void verbose_line(const std::string& path, const FileResult& result);
  void statistics_table();

  const RunOptions& options_;
  bool color_;
  bool first_item_ = true;
  std::map<std::string_view, std::pair<Code, size_t>> counts_;  // per code id
  size_t changed_ = 0, unchanged_ = 0, skipped_ = 0, failed_ = 0;
};

}  // namespace alembic_fix
