// The names under which a module reaches Alembic's operations. The templates write
// `from alembic import op`, but a migration may also write `from alembic import op as m`,
// `import alembic.op` (then `alembic.op.drop_table(...)`), `import alembic.op as m` or
// `from alembic.op import drop_table as remove`: a drop reached through any of them is a drop.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "compiler/syntax.h"

namespace alembic_fix {

class OpNames {
 public:
  // Reads the module-level imports. `op` always counts: it is what every template binds.
  static OpNames read(const SyntaxTree& tree);

  // The operation a call's function expression reaches (`drop_table`), or empty when it is not
  // Alembic's op module. `known` says whether a bare name is an operation (for `import *`).
  std::string_view method_of(const SyntaxTree& tree, TSNode function, bool (*known)(std::string_view)) const;
  // An expression that is the op module itself (`op`, `m`, `alembic.op`): a receiver.
  bool is_module(const SyntaxTree& tree, TSNode expression) const;

 private:
  std::vector<std::string_view> modules_{"op"};  // identifiers bound to alembic.op
  bool dotted_ = false;                          // `import alembic` or `import alembic.op`
  bool star_ = false;                            // `from alembic.op import *`
  std::vector<std::pair<std::string_view, std::string_view>> functions_;  // local name -> operation
};

}  // namespace alembic_fix
