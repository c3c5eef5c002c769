#include "compiler/cli/maps.h"

#include <algorithm>
#include <array>
#include <deque>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/cli/files.h"
#include "compiler/cli/report/printer.h"
#include "compiler/models/reader.h"

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

// A reader never sees half a map: see files::write.
void write_replacing(const std::string& path, const std::string& text) {
  try {
    files::install_stop_handlers();
    files::write(path, text);
  } catch (const files::IoError& e) {
    throw MapError(fmt::format("{}: cannot write: {}", path, e.what()));
  }
}

std::string table_counts(const std::vector<TargetModels>& targets) {
  std::string out;
  for (const auto& t : targets) {
    std::set<std::string> names;
    for (const auto& table : t.tables) names.insert(table.table.qualified());
    out += fmt::format("{}{} {} {}", out.empty() ? "" : ", ", t.target, names.size(),
                       names.size() == 1 ? "table" : "tables");
  }
  return out;
}

}  // namespace

TargetMap map_from_pyproject_models(const fs::path& pyproject, const toml::table& section) {
  std::string where = fmt::format("{} [tool.alembic-fix.models]", pyproject.string());
  if (section.contains("maps") || section.contains("targets"))
    throw MapError(fmt::format("{}: [tool.alembic-fix] names both models and maps (or targets); keep one", where));
  const toml::table* models = section["models"].as_table();
  std::vector<ModelsSource> sources;
  for (const auto& [target, value] : *models) {
    if (auto path = value.value<std::string>()) {
      sources.push_back({std::string(target.str()), *path});
      continue;
    }
    const toml::array* paths = value.as_array();
    bool all_strings = paths && !paths->empty() && paths->is_homogeneous(toml::node_type::string);
    if (!all_strings) throw MapError(fmt::format("{}: {} must be a path or a list of paths", where, target.str()));
    for (const auto& p : *paths) sources.push_back({std::string(target.str()), *p.value<std::string>()});
  }
  std::error_code ec;
  files::DiskModelFiles disk;
  ModelsRead read = read_models_tree(sources, pyproject.parent_path(), fs::current_path(ec), disk);
  if (!read.problems.empty()) {
    std::string lines;
    for (const auto& p : read.problems) lines += format_text(p.path, p.diagnostic, false);
    lines.pop_back();
    throw MapError(fmt::format("{}: the target map cannot be made from these models; nothing was fixed:\n{}", where,
                               lines));
  }
  return TargetMap::parse(render_map(read.targets), where);
}

namespace {

// What `maps` can report: SARIF lists them as its rules.
constexpr Code kMapsCodes[] = {codes::kTableNotInMap,      codes::kMapTableWithoutModel, codes::kTableMoved,
                               codes::kModelsSyntaxError,  codes::kComputedTableName,    codes::kUnfollowedImport,
                               codes::kModelsIoError};

// The diagnostics come sorted by path: each path's run of them is one file of the report.
void print_by_file(Printer& printer, const std::vector<LocatedDiagnostic>& located) {
  for (size_t first = 0, end = 0; first < located.size(); first = end) {
    std::vector<Diagnostic> diagnostics;
    for (end = first; end < located.size() && located[end].path == located[first].path; ++end)
      diagnostics.push_back(located[end].diagnostic);
    printer.file(located[first].path, diagnostics, nullptr);
  }
}

// The command's word on the run: the summary line and counts go to the printer, the status is returned.
int finish(Printer& printer, std::string line, size_t problems, size_t drifts, int exit_status) {
  printer.finish({std::move(line), {{"problems", problems}, {"drifts", drifts}}, exit_status});
  return exit_status;
}

int write_map(const MapsOptions& options, const ModelsRead& read, Printer& printer) {
  std::string text = render_map(read.targets);
  if (options.output) write_replacing(*options.output, text);
  else std::cout << text << std::flush;
  return finish(printer,
                fmt::format("{}{}.", options.output ? "wrote " + *options.output + ": " : "", table_counts(read.targets)),
                0, 0, 0);
}

int check_against_map(const MapsOptions& options, const ModelsRead& read, Printer& printer) {
  const std::string& maps_file = *options.maps_file;
  std::string text;
  try {
    text = files::OpenFile(maps_file, files::OpenFile::Lock::kNone).read();
  } catch (const files::IoError& e) {
    throw MapError(fmt::format("{}: cannot read the map: {}", maps_file, e.what()));
  }
  TargetMap map = TargetMap::parse(text, maps_file);
  std::vector<LocatedDiagnostic> drift = find_drift(read.targets, map);
  print_by_file(printer, drift);
  if (drift.empty())
    return finish(printer,
                  fmt::format("{} is in sync with the models ({}).", maps_file, table_counts(read.targets)), 0, 0,
                  0);
  return finish(printer,
                fmt::format("{} {} between the models and {}; regenerate it with `alembic-fix maps ... -o {}`.",
                            drift.size(), drift.size() == 1 ? "drift" : "drifts", maps_file, maps_file),
                0, drift.size(), 1);
}

}  // namespace

// Exit status 2 when a model or the map cannot be read, else 1 for drift (--check), else 0.
int run_maps(const MapsOptions& options) {
  std::error_code ec;
  files::DiskModelFiles disk;
  ModelsRead read = read_models_tree(options.models, fs::current_path(ec), fs::current_path(ec), disk);
  auto printer = make_printer({.format = options.format, .check = options.check, .rules = kMapsCodes});
  printer->begin();
  print_by_file(*printer, read.problems);
  if (!read.problems.empty())
    return finish(*printer,
                  fmt::format("error: the models could not all be read ({} {}); no map {}.", read.problems.size(),
                              read.problems.size() == 1 ? "problem" : "problems",
                              options.check ? "was checked" : "was written"),
                  read.problems.size(), 0, 2);
  try {
    return options.check ? check_against_map(options, read, *printer) : write_map(options, read, *printer);
  } catch (const MapError& e) {
    return finish(*printer, fmt::format("error: {}", e.what()), 0, 0, 2);
  }
}

}  // namespace alembic_fix
