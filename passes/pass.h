// The pass interface. A pass is a pure function of the module's Alembic view, the target and
// the maps: it returns statement removals, byte edits and diagnostics, and touches nothing else.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/edits.h"
#include "compiler/migration.h"
#include "compiler/pass_config.h"
#include "compiler/removals.h"
#include "compiler/source.h"
#include "compiler/syntax.h"
#include "compiler/target_map.h"

namespace alembic_fix {

struct PassInput {
  const Source& source;
  const SyntaxTree& tree;
  const Migration& view;
  std::string_view target;  // the file's target, already checked against the maps
  const TargetMap& maps;
  const PassConfig& config;  // each pass reads its own member
};

struct PassOutput {
  std::vector<Removal> removals;
  std::vector<Edit> edits;
  std::vector<Diagnostic> diagnostics;
};

struct Pass {
  std::string_view name;
  PassOutput (*run)(const PassInput&);
};

// Every pass, in the order they run (passes/registry.cpp).
std::span<const Pass> all_passes();

// The target a function is cleaned for: its multidb engine name when that is a known target,
// the file's target for plain upgrade()/downgrade(), nullopt for an engine that is no target.
std::optional<std::string_view> function_target(const MigrationFunction& fn, const PassInput& in);

// Shared by the drop and mirror passes, so the downgrade mirrors exactly what the upgrade lost.
bool is_removable_drop(const OpCall& op, const MigrationFunction& fn, std::string_view target,
                       const PassInput& in);
std::vector<std::string> removed_drop_tables(const MigrationFunction& upgrade, std::string_view target,
                                             const PassInput& in);

std::string describe(const PassInput& in, const OpCall& op);  // `op.drop_table("hq_plants")`

}  // namespace alembic_fix
