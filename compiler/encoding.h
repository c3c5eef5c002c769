// Whether a file's bytes are text alembic-fix may rewrite: UTF-8 (as Python 3 reads source by
// default), no NUL byte, and no PEP 263 coding cookie naming another encoding. Anything else is
// refused with its position, untouched: splicing edits into bytes of an encoding we do not
// read could break characters we never meant to touch.
#pragma once

#include <optional>

#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace alembic_fix {

std::optional<Diagnostic> encoding_problem(const Source& src);

}  // namespace alembic_fix
