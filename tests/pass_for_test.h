// Runs one registered pass on a string, on its own, for the pass's unit tests: what it removes,
// edits and reports, before the pipeline lowers or combines anything.
#pragma once

#include <string>
#include <vector>

#include <fmt/format.h>

#include "passes/pass.h"

namespace alembic_fix::testing {

inline const Pass& pass_named(std::string_view name) {
  for (const Pass* pass : all_passes())
    if (pass->name == name) return *pass;
  throw std::logic_error(fmt::format("no pass named {}", name));
}

class PassRun {
 public:
  PassRun(std::string_view pass, std::string text, std::string target = "plant", PassConfig config = {},
          const TargetMap* maps = nullptr)
      : source_(std::move(text)),
        tree_(parser().parse(source_.text())),
        view_(read_migration(tree_)),
        config_(config),
        maps_(maps ? *maps : builtin()),
        target_(std::move(target)),
        out(pass_named(pass).run({source_, tree_, view_, target_, maps_, config_})) {}

  // The text of each statement removed, in the pass's order.
  std::vector<std::string> removed() const {
    std::vector<std::string> texts;
    for (const Removal& r : out.removals) texts.emplace_back(tree_.text(r.statement));
    return texts;
  }
  // Each diagnostic as `line:col CODE message`.
  std::vector<std::string> reported() const {
    std::vector<std::string> lines;
    for (const Diagnostic& d : out.diagnostics)
      lines.push_back(fmt::format("{}:{} {} {}", d.position.line, d.position.column, d.code.id, d.message));
    return lines;
  }
  const Source& source() const { return source_; }
  const SyntaxTree& tree() const { return tree_; }
  const Migration& view() const { return view_; }

 private:
  static PythonParser& parser() {
    static thread_local PythonParser p;
    return p;
  }
  static const TargetMap& builtin() {
    static const TargetMap map = TargetMap::builtin();
    return map;
  }
  Source source_;
  SyntaxTree tree_;
  Migration view_;
  PassConfig config_;
  const TargetMap& maps_;
  std::string target_;

 public:
  PassOutput out;
};

using Lines = std::vector<std::string>;

inline const std::string kHead = "revision = 'a'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n";

}  // namespace alembic_fix::testing
