// The passes, in the order they run: one line each. A new pass is its file plus its line here.
#include "passes/pass.h"

#define ALEMBIC_FIX_PASSES(PASS) \
  PASS(wrong_target_drop)        \
  PASS(moved_table)              \
  PASS(mirror_downgrade)         \
  PASS(foreign_op)               \
  PASS(raw_sql)                  \
  PASS(foreign_type)             \
  PASS(unfollowed_op)            \
  PASS(keep_pragma)              \
  PASS(annotate_target)          \
  /* the end of the list: a new line goes above */

namespace alembic_fix {

#define ALEMBIC_FIX_DECLARE_PASS(name) extern const Pass name##_pass;
ALEMBIC_FIX_PASSES(ALEMBIC_FIX_DECLARE_PASS)

std::span<const Pass* const> all_passes() {
#define ALEMBIC_FIX_PASS_ENTRY(name) &name##_pass,
  static const Pass* const kPasses[] = {ALEMBIC_FIX_PASSES(ALEMBIC_FIX_PASS_ENTRY)};
  return kPasses;
}

}  // namespace alembic_fix
