#include "compiler/cli/maps.h"

#include <algorithm>
#include <array>
#include <deque>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/cli/files.h"
#include "compiler/models/reader.h"

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

// A reader never sees half a map: see files::write.
void write_map(const std::string& path, const std::string& text) {
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

int run_maps(const MapsOptions& options) {
  std::error_code ec;
  files::DiskModelFiles disk;
  ModelsRead read = read_models_tree(options.models, fs::current_path(ec), fs::current_path(ec), disk);
  bool color = files::use_color();
  for (const auto& p : read.problems) std::cerr << format_text(p.path, p.diagnostic, color);
  if (!read.problems.empty()) {
    std::cerr << fmt::format("alembic-fix: error: the models could not all be read ({} {}); no map {}.\n",
                             read.problems.size(), read.problems.size() == 1 ? "problem" : "problems",
                             options.check ? "was checked" : "was written");
    return 2;
  }
  try {
    if (!options.check) {
      std::string text = render_map(read.targets);
      if (options.output) write_map(*options.output, text);
      else std::cout << text << std::flush;
      std::cerr << fmt::format("alembic-fix: {}{}.\n", options.output ? "wrote " + *options.output + ": " : "",
                               table_counts(read.targets));
      return 0;
    }
    const std::string& maps_file = *options.maps_file;
    std::string text;
    try {
      text = files::OpenFile(maps_file, files::OpenFile::Lock::kNone).read();
    } catch (const files::IoError& e) {
      throw MapError(fmt::format("{}: cannot read the map: {}", maps_file, e.what()));
    }
    TargetMap map = TargetMap::parse(text, maps_file);
    std::vector<LocatedDiagnostic> drift = find_drift(read.targets, map);
    for (const auto& d : drift) std::cerr << format_text(d.path, d.diagnostic, color);
    if (drift.empty()) {
      std::cerr << fmt::format("alembic-fix: {} is in sync with the models ({}).\n", maps_file,
                               table_counts(read.targets));
      return 0;
    }
    std::cerr << fmt::format("alembic-fix: {} {} between the models and {}; regenerate it with `alembic-fix maps "
                             "... -o {}`.\n",
                             drift.size(), drift.size() == 1 ? "drift" : "drifts", maps_file, maps_file);
    return 1;
  } catch (const MapError& e) {
    std::cerr << "alembic-fix: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace alembic_fix
