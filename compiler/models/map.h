// Target maps made from the models: the TOML `alembic-fix maps` writes, and the drift
// `alembic-fix maps --check` reports between the models and a map. Pure: no file is touched.
#pragma once

#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/migration.h"
#include "compiler/target_map.h"

namespace alembic_fix {

struct LocatedTable {
  TableRef table;
  std::string path;  // the module that defines it
  Position position;
};

struct TargetModels {
  std::string target;
  std::vector<std::string> sources;  // the models paths as the user named them
  std::vector<LocatedTable> tables;  // in reading order; a table defined twice is listed twice
};

struct LocatedDiagnostic {
  std::string path;
  Diagnostic diagnostic;
};

// `[targets.<name>] tables = [...]`, one table a line, sorted and unique, targets in the order
// given, under a header naming the sources: the same bytes for the same models, every time.
std::string render_map(const std::vector<TargetModels>& models);

// One diagnostic per drift (AF301, AF302, AF303), ordered by path and position.
std::vector<LocatedDiagnostic> find_drift(const std::vector<TargetModels>& models, const TargetMap& map);

}  // namespace alembic_fix
