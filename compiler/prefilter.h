// A byte-level scan that proves, without parsing, that a file needs nothing: it is a migration
// annotated for a target the hints agree with, it names no other target's table or target
// anywhere, and each of its drops names one of its own tables by a plain literal. Anything the
// scan does not fully understand means "parse it": the prefilter may only ever say "clean"
// when the full pipeline would change nothing and report nothing (bar a syntax error elsewhere
// in a file the scan accepts: alembic-fix is not a linter). --no-prefilter turns it off.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "compiler/file_target.h"
#include "compiler/target_map.h"

namespace alembic_fix {

// The file's target when the scan proves it clean, else nullopt.
std::optional<std::string> proven_clean(std::string_view text, const TargetMap& maps, const TargetHints& hints);

}  // namespace alembic_fix
