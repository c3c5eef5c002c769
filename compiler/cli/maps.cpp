#include "compiler/cli/maps.h"

#include <algorithm>
#include <array>
#include <deque>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "compiler/cli/files.h"
#include "compiler/cli/history_folders.h"
#include "compiler/cli/target_folder.h"
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

int write_map(const MapsOptions& options, const ModelsRead& read, Printer& printer,
              const std::vector<TableRef>& undecided = {}) {
  std::string text = render_map(read.targets, undecided);
  if (options.output) write_replacing(*options.output, text);
  else std::cout << text << std::flush;
  return finish(printer,
                fmt::format("{}{}.", options.output ? "wrote " + *options.output + ": " : "", table_counts(read.targets)),
                0, 0, 0);
}

// `source`: what the tables come from, for the summary ("the models", "the history").
int check_with_map(const std::vector<TargetModels>& targets, const TargetMap& map, const std::string& maps_file,
                   std::string_view source, const std::vector<TableRef>& undecided, Printer& printer) {
  std::vector<LocatedDiagnostic> drift = find_drift(targets, map, undecided);
  print_by_file(printer, drift);
  if (drift.empty())
    return finish(printer, fmt::format("{} is in sync with {} ({}).", maps_file, source, table_counts(targets)), 0, 0,
                  0);
  return finish(printer,
                fmt::format("{} {} between {} and {}; regenerate it with `alembic-fix maps ... -o {}`.",
                            drift.size(), drift.size() == 1 ? "drift" : "drifts", source, maps_file, maps_file),
                0, drift.size(), 1);
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
  return check_with_map(read.targets, map, maps_file, "the models", {}, printer);
}

// `maps --history PATH`: the tables the history of PATH's versions folder gives each target of
// the map (compiler/cli/history_folders.h reads it as the fixer does), written or checked.
int history_maps(const MapsOptions& options, Printer& printer) {
  const std::string& path = *options.history;
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  ProjectConfig project(cwd, files::config_reader());
  std::optional<TargetMap> map;
  try {
    map = project.load_maps(options.maps_file);
  } catch (const std::runtime_error& e) {  // MapError or ConfigError: said as they say it
    return finish(printer, fmt::format("error: {}", e.what()), 0, 0, 2);
  }
  auto problem = [&](std::string message) {
    print_by_file(printer, {{path, {codes::kModelsIoError, {}, std::move(message)}}});
    return finish(printer, "error: the history could not be read; no map " +
                               std::string(options.check ? "was checked." : "was written."), 1, 0, 2);
  };
  if (!fs::exists(path, ec)) return problem("no such file or folder");
  TargetFolders folders(*map, project, {});
  HistoryFolders histories(*map, options.target, folders, cwd);
  histories.read_whole_on(std::max(1u, std::thread::hardware_concurrency()));  // every table is asked
  const TableHistory& history = histories.for_path(path)->tables();
  if (history.tables().empty())
    return problem(fmt::format("no migration of its versions folder creates a table ({} read)", history.files()));
  std::vector<TableRef> undecided;
  std::vector<TargetModels> targets = models_from_history(history, *map, path, undecided);
  if (options.check) return check_with_map(targets, *map, map->origin(), "the history", undecided, printer);
  return write_map(options, {targets, {}}, printer, undecided);
}

}  // namespace

// Exit status 2 when a model or the map cannot be read, else 1 for drift (--check), else 0.
int run_maps(const MapsOptions& options) {
  if (options.history) {
    auto printer = make_printer({.format = options.format, .check = options.check, .rules = kMapsCodes});
    printer->begin();
    try {
      return history_maps(options, *printer);
    } catch (const MapError& e) {
      return finish(*printer, fmt::format("error: {}", e.what()), 0, 0, 2);
    }
  }
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
