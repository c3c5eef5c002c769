#include "compiler/models/project.h"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compiler/models/reader.h"

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

// An absolute import is searched for upward from the importing module, up to the project's root.
constexpr std::array<std::string_view, 5> kProjectRootMarkers{"pyproject.toml", "setup.py", "setup.cfg",
                                                              "alembic.ini", ".git"};

bool is_project_root(const fs::path& dir, ModelFiles& files) {
  return std::any_of(kProjectRootMarkers.begin(), kProjectRootMarkers.end(), [&](std::string_view marker) {
    return files.kind(dir / marker) != ModelFiles::Kind::kMissing;
  });
}

// A dotted module below `base`: `a/b.py`, or the package folder `a/b/` (its __init__.py, if any).
struct ResolvedModule {
  fs::path file;     // empty for a namespace package (a folder without __init__.py)
  fs::path package;  // the folder, when the module is a package
};

std::optional<ResolvedModule> resolve_module(const fs::path& base, std::string_view dotted, ModelFiles& files) {
  fs::path p = base;
  for (size_t start = 0; start < dotted.size();) {
    size_t dot = std::min(dotted.find('.', start), dotted.size());
    p /= std::string(dotted.substr(start, dot - start));
    start = dot + 1;
  }
  if (!dotted.empty()) {
    fs::path module = p;
    module += ".py";
    if (files.kind(module) == ModelFiles::Kind::kFile) return ResolvedModule{module, {}};
  }
  if (files.kind(p) != ModelFiles::Kind::kFolder) return std::nullopt;
  fs::path init = p / "__init__.py";
  return ResolvedModule{files.kind(init) == ModelFiles::Kind::kFile ? init : fs::path(), p};
}

// The folder an absolute import's first name lives in, or nullopt when the project has no such
// module (sqlalchemy, typing: not ours to read).
std::optional<fs::path> import_root(fs::path dir, const std::string& head, ModelFiles& files) {
  for (;;) {
    if (files.kind(dir / (head + ".py")) == ModelFiles::Kind::kFile ||
        files.kind(dir / head) == ModelFiles::Kind::kFolder)
      return dir;
    if (is_project_root(dir, files) || dir == dir.root_path() || dir.empty()) return std::nullopt;
    dir = dir.parent_path();
  }
}

std::string import_name(const ModelImport& import) { return std::string(import.level, '.') + import.module; }

// Every *.py below a `models/` folder, in path order; caches and hidden folders are skipped.
std::vector<fs::path> modules_in(const fs::path& folder, ModelFiles& files) {
  std::vector<fs::path> out = files.python_files(folder);
  std::sort(out.begin(), out.end());
  return out;
}

// Reads each module once, whichever targets import it, so each problem is reported once.
class ModelsReader {
 public:
  ModelsReader(fs::path cwd, ModelFiles& files) : cwd_(std::move(cwd)), files_(files) {}

  // The tables of `target`'s modules: each in `target`, or, when Flask-SQLAlchemy binds it to
  // another database (`__bind_key__`, `db.Table(bind_key=...)`), in `bound` under its bind key.
  // Returns how many tables were found either way.
  size_t read_target(TargetModels& target, const std::vector<fs::path>& roots,
                     std::vector<std::pair<std::string, LocatedTable>>& bound) {
    std::deque<fs::path> queue(roots.begin(), roots.end());
    std::set<fs::path> visited;
    size_t found = 0;
    while (!queue.empty()) {
      fs::path file = queue.front();
      queue.pop_front();
      const Loaded& module = load(file);
      if (!visited.insert(module.identity).second) continue;
      for (const auto& t : module.models.tables) {
        LocatedTable located{t.table, module.display, t.position};
        if (t.bind_key.empty()) target.tables.push_back(std::move(located));
        else bound.emplace_back(t.bind_key, std::move(located));
        ++found;
      }
      queue.insert(queue.end(), module.follows.begin(), module.follows.end());
    }
    return found;
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
    fs::path identity = files_.identity(file);
    auto [it, inserted] = loaded_.try_emplace(identity);
    Loaded& module = it->second;
    if (!inserted) return module;
    module.identity = identity;
    module.display = display(file);
    ModelFiles::Read read = files_.read(file);
    if (!read.bytes) {
      module.problems.push_back({codes::kModelsIoError, {}, std::move(read.error)});
      return module;
    }
    module.models = read_models(Source(std::move(*read.bytes)), parser_);
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
      auto root = import_root(base, import.module.substr(0, import.module.find('.')), files_);
      if (!root) return;
      base = *root;
    }
    auto resolved = resolve_module(base, import.module, files_);
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
      auto sub = resolve_module(resolved->package, name, files_);
      if (sub && !sub->file.empty()) module.follows.push_back(sub->file);
    }
  }

  fs::path cwd_;
  ModelFiles& files_;
  PythonParser parser_;
  std::map<fs::path, Loaded> loaded_;
  std::vector<LocatedDiagnostic> problems_;
};

}  // namespace

ModelsRead read_models_tree(const std::vector<ModelsSource>& sources, const fs::path& base, const fs::path& cwd,
                            ModelFiles& files) {
  ModelsReader reader(cwd, files);
  ModelsRead out;
  std::map<std::string, std::vector<fs::path>> roots;
  for (const auto& source : sources) {
    auto it = std::find_if(out.targets.begin(), out.targets.end(),
                           [&](const TargetModels& t) { return t.target == source.target; });
    if (it == out.targets.end()) it = out.targets.insert(out.targets.end(), TargetModels{source.target, {}, {}});
    it->sources.push_back(source.path);
    fs::path path = (base / source.path).lexically_normal();
    ModelFiles::Kind kind = files.kind(path);
    if (kind == ModelFiles::Kind::kFolder) {
      auto modules = modules_in(path, files);
      if (modules.empty())
        reader.problem(path, {codes::kModelsIoError, {}, "a models folder without any *.py module"});
      roots[source.target].insert(roots[source.target].end(), modules.begin(), modules.end());
    } else if (kind == ModelFiles::Kind::kFile) {
      roots[source.target].push_back(path);
    } else {
      reader.problem(path, {codes::kModelsIoError, {}, "no such models file or folder"});
    }
  }
  // A bound table belongs to the target named after its bind, made after the named ones if need be.
  std::vector<std::pair<std::string, LocatedTable>> bound;
  size_t named = out.targets.size();
  for (size_t i = 0; i < named; ++i) {
    TargetModels& target = out.targets[i];
    size_t found = reader.read_target(target, roots[target.target], bound);
    // Said only when nothing else explains it (a module that does not parse has no tables either).
    if (found == 0 && !roots[target.target].empty() && !reader.has_problems())
      reader.problem((base / target.sources.front()).lexically_normal(),
                     {codes::kModelsIoError, {},
                      fmt::format("no table for {} is defined here or in the modules it imports", target.target)});
  }
  for (auto& entry : bound) {
    const std::string& bind = entry.first;  // a plain name: clang 14 cannot capture a structured binding
    auto it = std::find_if(out.targets.begin(), out.targets.end(),
                           [&](const TargetModels& t) { return t.target == bind; });
    if (it == out.targets.end())
      it = out.targets.insert(out.targets.end(), TargetModels{bind, {fmt::format("bind key \"{}\"", bind)}, {}});
    it->tables.push_back(std::move(entry.second));
  }
  out.problems = reader.problems();
  return out;
}

}  // namespace alembic_fix
