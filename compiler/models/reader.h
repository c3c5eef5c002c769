// The tables one Python module defines for SQLAlchemy, read from its syntax tree: declarative
// classes (`__tablename__`, SQLModel `table=True`), `Table("name", metadata, ...)` calls and
// `__table_args__` schemas, Flask-SQLAlchemy's `db.Table(...)` and bind keys, plus the imports that
// may define more. Nothing is guessed: a name
// that is not a literal is a problem with its position, never a silent omission.
#pragma once

#include <string>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/migration.h"
#include "compiler/source.h"
#include "compiler/syntax.h"

namespace alembic_fix {

struct ModelTable {
  TableRef table;        // schema from __table_args__ or Table(schema=...)
  Position position;     // the class or the Table(...) call that defines it
  std::string bind_key;  // Flask-SQLAlchemy: `__bind_key__` or db.Table(bind_key=...); empty: the default bind
};

// `import a.b`, `from a.b import c`, `from ..x import y`: where more model classes may live.
struct ModelImport {
  unsigned level = 0;              // leading dots of a relative import; 0 for an absolute one
  std::string module;              // dotted path after the dots; empty for `from . import x`
  std::vector<std::string> names;  // `from M import a, b`: each may be a submodule of M
  Position position;
};

struct ModelModule {
  std::vector<ModelTable> tables;    // document order
  std::vector<ModelImport> imports;  // module level only: those run when the module is imported
  std::vector<Diagnostic> problems;  // AF304 does not parse, AF305 a name that is not a literal
};

ModelModule read_models(const Source& source, PythonParser& parser);

}  // namespace alembic_fix
