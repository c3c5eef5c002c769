// The Alembic view of a module: is it a migration, where its revision identifiers end, its
// MIGRATION_TARGET annotation, and every op call in upgrade/downgrade with its resolved table.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/pragmas.h"
#include "compiler/syntax.h"

namespace alembic_fix {

// What an Alembic operation does to the table it names. Passes ask this, never the op's name.
enum class OpKind {
  kDrop,    // removes what a create made: the wrong-target-drop pass judges these
  kCreate,  // (re-)creates a table or part of one: what a downgrade mirror consists of
  kAlter,   // changes a table in place
  kBatch,   // opens a `with` block whose batch_op.* calls all act on its table
  kOther,   // names no table (execute, f, bulk_insert, ...): not in the table below
};

// One Alembic operation: where it takes its table and its schema, by position and keyword.
// Positions are those of Alembic up to 1.10 (Debian's 1.8.1): Alembic 1.11 made the optional
// parameters keyword-only, where a positional schema is a TypeError, so reading one can never
// misread a file written for 1.11 or later.
struct AlembicOp {
  std::string_view name;
  OpKind kind;
  uint32_t table_position;
  std::string_view table_keyword;
  std::optional<uint32_t> schema_position;  // nullopt: only by keyword (create_table's **kw)
  std::string_view schema_keyword;
};

// Every operation alembic-fix reads a table from; the one list (compiler/migration.cpp).
std::span<const AlembicOp> alembic_ops();
const AlembicOp* find_alembic_op(std::string_view name);  // nullptr for ops naming no table
OpKind op_kind(std::string_view name);                     // kOther for ops naming no table

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
  // Every item of the `with` is a batch block: emptied, the statement may go whole.
  bool whole_statement = true;
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
  bool kept = false;  // `# alembic-fix: keep` ends the statement's first line
  // The module-level helper function it was read from (called from this function), or empty.
  std::string_view helper;
};

// A way to reach an operation that cannot be followed statically: `getattr(op, ...)`, an
// operation taken as a value (`drop = op.drop_table`), a drop in a helper several functions call.
struct UnfollowedOp {
  TSNode node{};
  std::string why;
};

enum class FunctionRole { kUpgrade, kDowngrade };

struct MigrationFunction {
  std::string_view name;
  FunctionRole role;
  // upgrade_<engine>() in Alembic's multidb template (Flask-Migrate's: upgrade_<bind>()): the
  // engine name, which the function is cleaned for. Empty for plain upgrade()/downgrade() and for
  // Flask-Migrate's default bind, upgrade_()/downgrade_(): both are cleaned for the file's target.
  std::string_view engine;
  TSNode definition{};
  TSNode body{};
  std::vector<BatchBlock> batches;
  std::vector<OpCall> ops;  // document order, then the ops of the helpers it calls
  std::vector<UnfollowedOp> unfollowed;
  // Ops of helpers several migration functions call: not this function's alone, so never removed.
  std::vector<OpCall> shared_helper_ops;
};

struct Annotation {
  TSNode statement{};
  std::optional<std::string> value;  // nullopt when not a plain string literal
};

struct Migration {
  bool is_migration = false;  // module-level `revision = ...` or `revision: str = ...`
  std::optional<std::string> revision;  // its value, when a plain string literal
  TSNode identifiers_end{};     // the last revision identifier statement (null if none)
  std::optional<std::string> branch_labels;  // first string of branch_labels, if any
  std::vector<std::string> branch_label_list;  // every string of branch_labels
  std::vector<Pragma> pragmas;                 // `# alembic-fix: ...` comments
  bool skip_file = false;                      // a top-level `# alembic-fix: skip-file`
  std::optional<Annotation> annotation;
  std::vector<MigrationFunction> functions;

  // The upgrade paired with a downgrade (same engine), or null.
  const MigrationFunction* upgrade_for(const MigrationFunction& downgrade) const;
};

// Builds the view. Iterative traversal: nesting depth is bounded only by memory.
Migration read_migration(const SyntaxTree& tree);

inline bool is_drop(std::string_view method) { return op_kind(method) == OpKind::kDrop; }
inline bool is_create(std::string_view method) { return op_kind(method) == OpKind::kCreate; }

}  // namespace alembic_fix
