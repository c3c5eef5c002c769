// Which target one file is cleaned for. Rules, first answer wins: the file's MIGRATION_TARGET
// annotation; --target / $MIGRATION_TARGET; branch_labels naming a target; a folder named after a
// target; the tables its upgrade creates or alters. Whatever the command line says must agree
// with every rule that has an answer: cleaning a file for the wrong target removes the drops it
// was written for, so a disagreement is an error, never a silent choice.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/migration.h"
#include "compiler/source.h"
#include "compiler/target_map.h"

namespace alembic_fix {

enum class TargetRule { kAnnotation, kOption, kEnvironment, kBranchLabels, kFolder, kInference };

std::string_view rule_name(TargetRule rule);  // "annotation", "--target", ...

// What the world outside the file says: the command line and the folder the file sits in.
struct TargetHints {
  std::optional<std::string> option;  // --target or $MIGRATION_TARGET
  bool option_from_environment = false;
  std::optional<std::string> folder;  // the nearest enclosing folder named after a target
};

struct TargetDecision {
  std::string target;
  TargetRule rule;
  std::string evidence;  // for --verbose: `branch_labels = "hq"`, `creates stations, users`
  // The other targets the file serves when its branch_labels name several: a table is its own
  // when any of them lists it, and it is never annotated for one of them.
  std::vector<std::string> also;
};

// A decision, or the AF202/AF206 error that leaves the file untouched.
std::variant<TargetDecision, Diagnostic> decide_target(const Source& src, const Migration& view,
                                                       const TargetMap& maps, const TargetHints& hints);

}  // namespace alembic_fix
