#include "compiler/cli/target_folder.h"

#include <algorithm>

namespace fs = std::filesystem;

namespace alembic_fix {
namespace {

// What a project's root folder holds: Alembic's configuration, Python's, or git's.
constexpr const char* kRootMarkers[] = {"alembic.ini", "pyproject.toml", ".git"};

// Whether `dir` is `folder` or a folder below it.
bool within(const fs::path& dir, const fs::path& folder) {
  auto [in_folder, in_dir] = std::mismatch(folder.begin(), folder.end(), dir.begin(), dir.end());
  return in_folder == folder.end();
}

fs::path real_or_lexical(const fs::path& path) {
  std::error_code ec;
  fs::path real = fs::weakly_canonical(path, ec);
  if (ec) real = path.lexically_normal();
  return real.has_filename() ? real : real.parent_path();  // "versions/" is "versions": see within()
}

}  // namespace

TargetFolders::TargetFolders(const TargetMap& maps, ProjectConfig& project, const std::vector<fs::path>& locations)
    : maps_(maps), project_(project) {
  for (const auto& location : locations) run_locations_.push_back(real_or_lexical(location));
}

std::optional<std::string> TargetFolders::of(const std::string& path, const fs::path& cwd, bool link) {
  // A file that is no link sits in its folder's real folder: one realpath per folder, not per file.
  // The same folder as named (the path up to its last slash) gives the same answer: a folder of
  // thousands of files costs one lookup per file, not a normalised path and a tree search each.
  std::string named_dir;
  if (!link) {
    size_t slash = path.rfind('/');
    named_dir = cwd.native() + '\0' + (slash == std::string::npos ? std::string() : path.substr(0, slash));
    if (auto known = by_named_dir_.find(named_dir); known != by_named_dir_.end()) return known->second;
  }
  fs::path real_dir;
  if (link) {
    real_dir = real_or_lexical(cwd / path).parent_path();
  } else {
    fs::path given_dir = (cwd / path).lexically_normal().parent_path();
    auto [it, inserted] = real_dirs_.try_emplace(given_dir);
    if (inserted) it->second = real_or_lexical(given_dir);
    real_dir = it->second;
  }
  auto [it, inserted] = answers_.try_emplace(real_dir);
  if (inserted) it->second = search(real_dir);
  if (!link) by_named_dir_.emplace(std::move(named_dir), it->second);
  return it->second;
}

std::optional<std::string> TargetFolders::search(const fs::path& real_dir) {
  Bound bound = bound_for(real_dir);
  for (fs::path dir = real_dir;; dir = dir.parent_path()) {
    bool at_stop = bound.stop.empty() || dir == bound.stop;  // no stop: the own folder only
    bool counts = !at_stop || bound.stop.empty() || bound.stop_counts;
    if (counts && maps_.has_target(dir.filename().string())) return dir.filename().string();
    if (at_stop || dir == dir.root_path() || dir.empty()) return std::nullopt;
  }
}

TargetFolders::Bound TargetFolders::bound_for(const fs::path& real_dir) {
  std::optional<fs::path> root = root_above(real_dir);
  // The nearest version location holding the file: the run's, else its root's configuration's.
  const fs::path* nearest = nullptr;
  auto consider = [&](const std::vector<fs::path>& locations) {
    for (const auto& location : locations)
      if (within(real_dir, location) && (!nearest || within(location, *nearest))) nearest = &location;
  };
  consider(run_locations_);
  if (root) consider(locations_of_root(*root).folders);
  if (nearest) return {*nearest, true};
  if (root) return {*root, false};
  return {};
}

std::optional<fs::path> TargetFolders::root_above(const fs::path& real_dir) {
  for (fs::path dir = real_dir; !dir.empty(); dir = dir.parent_path()) {
    auto [it, inserted] = is_root_.try_emplace(dir, false);
    if (inserted) {
      std::error_code ec;
      it->second = std::any_of(std::begin(kRootMarkers), std::end(kRootMarkers),
                               [&](const char* marker) { return fs::exists(dir / marker, ec); });
    }
    if (it->second) return dir;
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

const TargetFolders::Locations& TargetFolders::locations_of_root(const fs::path& root) {
  auto [it, inserted] = root_locations_.try_emplace(root);
  if (!inserted) return it->second;
  try {
    if (auto config = project_.alembic_in(root)) {
      for (const auto& location : config->version_locations) it->second.folders.push_back(real_or_lexical(location));
      it->second.recursive = config->recursive;
    }
  } catch (const ConfigError&) {
      // A configuration that cannot be read only loses its locations here: the root still bounds
    // the search. (Without PATH the same configuration is read, and reported, as the run's own.)
  }
  return it->second;
}

std::optional<TargetFolders::Locations> TargetFolders::locations_holding(const std::string& path, const fs::path& cwd) {
  fs::path real = real_or_lexical(cwd / path);
  std::error_code ec;
  fs::path dir = fs::is_directory(real, ec) ? real : real.parent_path();
  std::optional<fs::path> root = root_above(dir);
  if (!root) return std::nullopt;
  const Locations& locations = locations_of_root(*root);
  bool held = std::any_of(locations.folders.begin(), locations.folders.end(),
                          [&](const fs::path& location) { return within(dir, location); });
  if (!held) return std::nullopt;
  return locations;
}

}  // namespace alembic_fix
