// The table of codes, built from its owners: the compiler's (compiler/diagnostics.h) and those
// each registered pass defines. SARIF's rule list and the documentation tests read it.
#include <algorithm>

#include "passes/pass.h"

namespace alembic_fix {

std::span<const Code> all_codes() {
  static const std::vector<Code> codes = [] {
    std::vector<Code> out;
    for (const Pass* pass : all_passes()) out.insert(out.end(), pass->codes.begin(), pass->codes.end());
    out.insert(out.end(), std::begin(codes::kCompiler), std::end(codes::kCompiler));
    // One entry per id: a code raised at two severities (AF102) is listed at its first.
    std::stable_sort(out.begin(), out.end(), [](const Code& a, const Code& b) { return a.id < b.id; });
    out.erase(std::unique(out.begin(), out.end(), [](const Code& a, const Code& b) { return a.id == b.id; }),
              out.end());
    return out;
  }();
  return codes;
}

bool prefilter_covers_passes() {
  return std::all_of(all_passes().begin(), all_passes().end(),
                     [](const Pass* pass) { return prefilter_proves(pass->silent_when); });
}

}  // namespace alembic_fix
