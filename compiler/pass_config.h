// What the command line may tell the passes, and the only way it reaches them: the pipeline
// hands this value to every pass unchanged (PassInput::config), and each pass reads its own
// member. Options path: cli RunOptions -> CompileOptions::passes (this) -> PassInput::config.
#pragma once

namespace alembic_fix {

// A drop of a table no map lists (--unknown).
enum class UnknownPolicy { kKeep, kRemove, kError };

// passes/drop_rules.cpp: which drops are removable, for wrong-target-drop, mirror-downgrade and
// foreign-op alike, so the downgrade mirrors exactly what the upgrade lost.
struct DropRulesConfig {
  UnknownPolicy unknown = UnknownPolicy::kKeep;
};

// passes/annotate_target.cpp (--no-annotate turns it off).
struct AnnotateTargetConfig {
  bool enabled = true;
};

struct PassConfig {
  DropRulesConfig drops;
  AnnotateTargetConfig annotate;
};

}  // namespace alembic_fix
