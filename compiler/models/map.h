// Target maps made from the models: the TOML `alembic-fix maps` writes, and the drift
// `alembic-fix maps --check` reports between the models and a map. Pure: no file is touched.
#pragma once

#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/history.h"
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
  bool from_history = false;  // the tables its migrations create (maps --history), not its models
};

struct LocatedDiagnostic {
  std::string path;
  Diagnostic diagnostic;
};

// `[targets.<name>] tables = [...]`, one table a line, sorted and unique, targets in the order
// given, under a header naming the sources: the same bytes for the same models, every time.
// `undecided`: tables the migrations of several targets create (maps --history), named in a
// comment, listed nowhere: the history does not decide them.
std::string render_map(const std::vector<TargetModels>& models, const std::vector<TableRef>& undecided = {});

// One diagnostic per drift (AF301, AF302, AF303), ordered by path and position. A map entry that
// matches an `undecided` table is no drift: whatever the map says of it stands.
std::vector<LocatedDiagnostic> find_drift(const std::vector<TargetModels>& models, const TargetMap& map,
                                          const std::vector<TableRef>& undecided = {});

// The tables the history implies per target of `map` (in its order): each table only one
// target's migrations create, at its first creation; `undecided` gets the others.
std::vector<TargetModels> models_from_history(const TableHistory& history, const TargetMap& map,
                                              const std::string& source, std::vector<TableRef>& undecided);

}  // namespace alembic_fix
