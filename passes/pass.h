// The pass interface. A pass is a pure function of the module's Alembic view, the target, the
// maps and its own configuration: it returns statement removals, byte edits and diagnostics,
// and touches nothing else. A pass is one file, passes/<name>.cpp, defining `<name>_pass`,
// plus its line in passes/registry.cpp; it owns the codes it defines.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/edits.h"
#include "compiler/history.h"
#include "compiler/migration.h"
#include "compiler/pass_config.h"
#include "compiler/prefilter.h"
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
  // The other targets a file for several targets serves (branch_labels): see drop_rules' ownership().
  std::span<const std::string> also = {};
  // The migration history of the file's versions folder, read on first ask (drop_rules.h);
  // null with --no-history or when there is no folder (stdin).
  MigrationHistory* history = nullptr;
};

struct PassOutput {
  std::vector<Removal> removals;  // lowered to edits by compiler/removals.h
  std::vector<Edit> edits;
  std::vector<Diagnostic> diagnostics;
};

struct Pass {
  std::string_view name;
  PassOutput (*run)(const PassInput&);
  // The codes this pass defines (its file holds them), for the code table and documentation.
  std::span<const Code> codes;
  // The prefilter's facts under which this pass has nothing to say (compiler/prefilter.h). The
  // byte scan may skip a file only when every registered pass is silent under what it proves;
  // kNotCovered (the default) keeps every file parsed, and tests/registry_test.cpp fails.
  PrefilterFacts silent_when = kNotCovered;
};

// Every pass, in the order they run (passes/registry.cpp).
std::span<const Pass* const> all_passes();

// True when the prefilter's proof covers every registered pass, so it may skip a file.
bool prefilter_covers_passes();

// Every code alembic-fix reports, one entry per id in id order: the compiler's own
// (compiler/diagnostics.h) and each registered pass's (passes/codes.cpp).
std::span<const Code> all_codes();

}  // namespace alembic_fix
