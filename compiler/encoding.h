// Whether a file's bytes are text alembic-fix may rewrite: UTF-8 (as Python 3 reads source by
// default), no NUL byte, and no PEP 263 coding cookie naming another encoding. Anything else is
// refused with its position, untouched: splicing edits into bytes of an encoding we do not
// read could break characters we never meant to touch.
#pragma once

#include <optional>
#include <string_view>

#include "compiler/diagnostics.h"
#include "compiler/source.h"

namespace alembic_fix {

std::optional<Diagnostic> encoding_problem(const Source& src);

// Offset of the first NUL byte or byte that is not well-formed UTF-8; npos when there is none.
// The prefilter asks the same question, so both agree on every byte.
size_t first_non_text_byte(std::string_view text);

}  // namespace alembic_fix
