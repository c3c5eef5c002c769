#include "compiler/cli/maps.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "compiler/cli/report/printer.h"
#include "compiler/models/reader.h"

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

// An absolute import is searched for upward from the importing module, up to the project's root.
constexpr std::array<std::string_view, 5> kProjectRootMarkers{"pyproject.toml", "setup.py", "setup.cfg",
                                                              "alembic.ini", ".git"};

bool is_project_root(const fs::path& dir) {
  std::error_code ec;
  return std::any_of(kProjectRootMarkers.begin(), kProjectRootMarkers.end(),
                     [&](std::string_view marker) { return fs::exists(dir / marker, ec); });
}

// A dotted module below `base`: `a/b.py`, or the package folder `a/b/` (its __init__.py, if any).
struct ResolvedModule {
  fs::path file;     // empty for a namespace package (a folder without __init__.py)
  fs::path package;  // the folder, when the module is a package
};

std::optional<ResolvedModule> resolve_module(const fs::path& base, std::string_view dotted) {
  fs::path p = base;
  for (size_t start = 0; start < dotted.size();) {
    size_t dot = std::min(dotted.find('.', start), dotted.size());
    p /= std::string(dotted.substr(start, dot - start));
    start = dot + 1;
  }
  std::error_code ec;
  if (!dotted.empty()) {
    fs::path module = p;
    module += ".py";
    if (fs::is_regular_file(module, ec)) return ResolvedModule{module, {}};
  }
  if (!fs::is_directory(p, ec)) return std::nullopt;
  fs::path init = p / "__init__.py";
  return ResolvedModule{fs::is_regular_file(init, ec) ? init : fs::path(), p};
}

// The folder an absolute import's first name lives in, or nullopt when the project has no such
// module (sqlalchemy, typing: not ours to read).
std::optional<fs::path> import_root(fs::path dir, const std::string& head) {
  std::error_code ec;
  for (;;) {
    if (fs::is_regular_file(dir / (head + ".py"), ec) || fs::is_directory(dir / head, ec)) return dir;
    if (is_project_root(dir) || dir == dir.root_path() || dir.empty()) return std::nullopt;
    dir = dir.parent_path();
  }
}

std::string import_name(const ModelImport& import) { return std::string(import.level, '.') + import.module; }

// Every *.py below a `models/` folder, in path order; caches and hidden folders are skipped.
std::vector<fs::path> modules_in(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      if (name.starts_with(".") || name == "__pycache__") it.disable_recursion_pending();
    } else if (it->path().extension() == ".py" && it->is_regular_file(type_ec)) {
      out.push_back(it->path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Reads each module once, whichever targets import it, so each problem is reported once.
class ModelsReader {
 public:
  explicit ModelsReader(fs::path cwd) : cwd_(std::move(cwd)) {}

  void read_target(TargetModels& target, const std::vector<fs::path>& roots) {
    std::deque<fs::path> queue(roots.begin(), roots.end());
    std::set<fs::path> visited;
    while (!queue.empty()) {
      fs::path file = queue.front();
      queue.pop_front();
      const Loaded& module = load(file);
      if (!visited.insert(module.identity).second) continue;
      for (const auto& t : module.models.tables) target.tables.push_back({t.table, module.display, t.position});
      queue.insert(queue.end(), module.follows.begin(), module.follows.end());
    }
  }

  std::string display(const fs::path& path) const {
    std::string shown = path.lexically_proximate(cwd_).string();
    return shown.empty() ? path.string() : shown;
  }

  void problem(const fs::path& path, Diagnostic d) { problems_.push_back({display(path), std::move(d)}); }

  bool has_problems() const {
    return !problems_.empty() || std::any_of(loaded_.begin(), loaded_.end(),
                                             [](const auto& entry) { return !entry.second.problems.empty(); });
  }

  std::vector<LocatedDiagnostic> problems() {
    std::vector<LocatedDiagnostic> out = problems_;
    for (const auto& [identity, module] : loaded_)
      for (const auto& d : module.problems) out.push_back({module.display, d});
    std::stable_sort(out.begin(), out.end(), [](const LocatedDiagnostic& a, const LocatedDiagnostic& b) {
      return std::tie(a.path, a.diagnostic.position.line, a.diagnostic.position.column) <
             std::tie(b.path, b.diagnostic.position.line, b.diagnostic.position.column);
    });
    return out;
  }

 private:
  struct Loaded {
    fs::path identity;
    std::string display;
    ModelModule models;
    std::vector<fs::path> follows;     // the project's modules it imports
    std::vector<Diagnostic> problems;  // its own and its imports'
  };

  const Loaded& load(const fs::path& file) {
    std::error_code ec;
    fs::path identity = fs::weakly_canonical(file, ec);
    if (ec) identity = file;
    auto [it, inserted] = loaded_.try_emplace(identity);
    Loaded& module = it->second;
    if (!inserted) return module;
    module.identity = identity;
    module.display = display(file);
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    if (in.is_open()) bytes << in.rdbuf();
    if (!in.is_open() || in.bad()) {
      module.problems.push_back({codes::kModelsIoError, {}, fmt::format("cannot read: {}", std::strerror(errno))});
      return module;
    }
    module.models = read_models(Source(bytes.str()), parser_);
    module.problems = module.models.problems;
    for (const auto& import : module.models.imports) follow(file, import, module);
    return module;
  }

  // The files `import` runs, added to module.follows; a project module that is not there is a
  // problem, since the tables it would define would be missed.
  void follow(const fs::path& file, const ModelImport& import, Loaded& module) {
    fs::path base = file.parent_path();
    for (unsigned i = 1; i < import.level; ++i) base = base.parent_path();
    if (import.level == 0) {
      auto root = import_root(base, import.module.substr(0, import.module.find('.')));
      if (!root) return;
      base = *root;
    }
    auto resolved = resolve_module(base, import.module);
    if (!resolved) {
      std::string dotted_path = import.module;
      std::replace(dotted_path.begin(), dotted_path.end(), '.', '/');
      fs::path missing = (base / dotted_path).lexically_normal();
      module.problems.push_back(
          {codes::kUnfollowedImport, import.position,
           fmt::format("cannot follow the import of \"{}\": there is no {}.py nor {}/, so the tables it would "
                       "define cannot be read",
                       import_name(import), display(missing), display(missing))});
      return;
    }
    if (!resolved->file.empty()) module.follows.push_back(resolved->file);
    if (resolved->package.empty()) return;
    for (const auto& name : import.names) {  // `from package import submodule`
      auto sub = resolve_module(resolved->package, name);
      if (sub && !sub->file.empty()) module.follows.push_back(sub->file);
    }
  }

  fs::path cwd_;
  PythonParser parser_;
  std::map<fs::path, Loaded> loaded_;
  std::vector<LocatedDiagnostic> problems_;
};

// A temporary file beside the target, then rename: a reader never sees half a map.
void write_replacing(const std::string& path, const std::string& text) {
  fs::path target(path);
  fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string temp = (folder / ("." + target.filename().string() + ".alembic-fix-XXXXXX")).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) throw MapError(fmt::format("{}: cannot create a file beside it: {}", path, std::strerror(errno)));
  struct stat existing {};
  mode_t mode = ::stat(path.c_str(), &existing) == 0 ? (existing.st_mode & 07777) : 0644;  // keep a map's mode
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (ok && ::rename(temp.c_str(), path.c_str()) == 0) return;
  err = ok ? errno : err;
  ::unlink(temp.c_str());
  throw MapError(fmt::format("{}: cannot write: {}", path, std::strerror(err)));
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

ModelsRead read_models_tree(const std::vector<ModelsSource>& sources, const fs::path& base) {
  std::error_code ec;
  ModelsReader reader(fs::current_path(ec));
  ModelsRead out;
  std::map<std::string, std::vector<fs::path>> roots;
  for (const auto& source : sources) {
    auto it = std::find_if(out.targets.begin(), out.targets.end(),
                           [&](const TargetModels& t) { return t.target == source.target; });
    if (it == out.targets.end()) it = out.targets.insert(out.targets.end(), TargetModels{source.target, {}, {}});
    it->sources.push_back(source.path);
    fs::path path = (base / source.path).lexically_normal();
    if (fs::is_directory(path, ec)) {
      auto modules = modules_in(path);
      if (modules.empty())
        reader.problem(path, {codes::kModelsIoError, {}, "a models folder without any *.py module"});
      roots[source.target].insert(roots[source.target].end(), modules.begin(), modules.end());
    } else if (fs::is_regular_file(path, ec)) {
      roots[source.target].push_back(path);
    } else {
      reader.problem(path, {codes::kModelsIoError, {}, "no such models file or folder"});
    }
  }
  for (auto& target : out.targets) {
    reader.read_target(target, roots[target.target]);
    // Said only when nothing else explains it (a module that does not parse has no tables either).
    if (target.tables.empty() && !roots[target.target].empty() && !reader.has_problems())
      reader.problem((base / target.sources.front()).lexically_normal(),
                     {codes::kModelsIoError, {},
                      fmt::format("no table for {} is defined here or in the modules it imports", target.target)});
  }
  out.problems = reader.problems();
  return out;
}

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
  ModelsRead read = read_models_tree(sources, pyproject.parent_path());
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
  std::error_code ec;
  const std::string& maps_file = *options.maps_file;
  std::ifstream in(maps_file, std::ios::binary);
  std::stringstream text;
  if (in.is_open()) text << in.rdbuf();
  if (!in.is_open() || in.bad() || !fs::is_regular_file(maps_file, ec))
    throw MapError(fmt::format("{}: cannot read the map: {}", maps_file, std::strerror(errno)));
  TargetMap map = TargetMap::parse(text.str(), maps_file);
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
  ModelsRead read = read_models_tree(options.models, fs::current_path(ec));
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
