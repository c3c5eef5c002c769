// The Alembic view of a module: is it a migration, where its revision identifiers end, its
// MIGRATION_TARGET annotation, and every op call in upgrade/downgrade with its resolved table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/syntax.h"

namespace alembic_fix {

struct TableRef {
  std::string name;
  std::string schema;  // empty when the call passes none
  std::string qualified() const { return schema.empty() ? name : schema + "." + name; }
};

// Where an op call names its table: a positional index or a keyword.
enum class TableArg { kResolved, kUnresolved, kNone };

struct BatchBlock {
  TSNode statement{};  // the with_statement
  TSNode body{};       // its block
  std::string_view alias;  // the `as` name, usually batch_op
  TableArg table_arg = TableArg::kNone;
  TableRef table;
};

struct OpCall {
  TSNode call{};
  // The expression_statement that is exactly this call; null when the call sits inside a
  // larger expression or assignment and so cannot be removed as a statement.
  TSNode statement{};
  std::string_view method;  // drop_table, create_index, ...
  // Index into MigrationFunction::batches when called on a batch alias, else -1.
  int batch = -1;
  TableArg table_arg = TableArg::kNone;
  TableRef table;
};

enum class FunctionRole { kUpgrade, kDowngrade };

struct MigrationFunction {
  std::string_view name;
  FunctionRole role;
  // upgrade_<engine>() in Alembic's multidb template: the engine name, which the function is
  // cleaned for. Empty for plain upgrade()/downgrade().
  std::string_view engine;
  TSNode definition{};
  TSNode body{};
  std::vector<BatchBlock> batches;
  std::vector<OpCall> ops;  // document order
};

struct Annotation {
  TSNode statement{};
  std::optional<std::string> value;  // nullopt when not a plain string literal
};

struct Migration {
  bool is_migration = false;  // module-level `revision = ...` or `revision: str = ...`
  TSNode identifiers_end{};     // the last revision identifier statement (null if none)
  std::optional<std::string> branch_labels;  // first string of branch_labels, if any
  std::optional<Annotation> annotation;
  std::vector<MigrationFunction> functions;

  // The upgrade paired with a downgrade (same engine), or null.
  const MigrationFunction* upgrade_for(const MigrationFunction& downgrade) const;
};

// Builds the view. Iterative traversal: nesting depth is bounded only by memory.
Migration read_migration(const SyntaxTree& tree);

bool is_drop(std::string_view method);    // drop_table, drop_index, drop_constraint, drop_column
bool is_create(std::string_view method);  // the operations that re-create what a drop removed

}  // namespace alembic_fix
