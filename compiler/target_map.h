// Which tables belong to which target: TOML `[targets.<name>] tables = [...]`, glob patterns.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <toml++/impl/forward_declarations.h>

#include "compiler/migration.h"
#include "compiler/source.h"

namespace alembic_fix {

extern const std::string_view kDefaultMapToml;  // target_maps/assetiq.toml, compiled in
extern const std::string_view kDefaultMapName;

enum class Ownership {
  kOwn,      // the target lists it (alone or with others: shared tables are own to each)
  kForeign,  // only other targets list it
  kUnknown,  // no target lists it
};

struct Target {
  std::string name;
  std::vector<std::string> patterns;
  std::vector<Position> positions;  // where each pattern is written in the TOML, for messages
  // The table its Alembic chain records its revision in: `version_table = "..."`, else
  // `alembic_version_<name>`. Alembic's own default, `alembic_version`, is a target's only when
  // a map names it: it is every single-chain project's own, so it is never guessed.
  std::string version_table;
};

// A pattern with a dot names "schema.table"; one without matches the bare name in any schema.
bool pattern_matches(const std::string& pattern, const TableRef& table);

class TargetMap {
 public:
  // Parses a whole TOML document holding `[targets.*]`, or, when `table_path` is given, the
  // table at that dotted path (`tool.alembic-fix` inside pyproject.toml). Throws MapError.
  static TargetMap parse(std::string_view toml, std::string_view origin, std::string_view table_path = {});
  // The same from a document already parsed (pyproject.toml is parsed once per run).
  static TargetMap from_toml(const toml::table& doc, std::string_view origin, std::string_view table_path = {});
  static TargetMap builtin();

  bool has_target(std::string_view name) const;
  std::string target_names() const;  // "hq, plant": for messages
  const std::vector<Target>& targets() const { return targets_; }
  const std::string& origin() const { return origin_; }

  Ownership classify(const TableRef& table, std::string_view target) const;
  // Bit i set when targets()[i] lists the table: one hash lookup plus the globs whose literal
  // prefix fits, since the prefilter asks this for every string literal of every file.
  uint64_t owner_mask(const TableRef& table) const;
  int target_index(std::string_view name) const;  // -1 when no target has that name
  // True when the table is some target's version table (and so owned without a pattern).
  bool is_version_table(const TableRef& table) const;
  // The targets that list the table, for messages.
  std::vector<std::string_view> owners(const TableRef& table) const;

 private:
  void build_index();
  struct Glob {
    std::string pattern;
    std::string prefix;  // the characters before the first wildcard
    bool qualified;      // has a dot: matched against "schema.table"
    uint64_t bit;
  };
  std::vector<Target> targets_;
  std::unordered_map<std::string, uint64_t> exact_bare_, exact_qualified_;
  std::vector<Glob> globs_;
  std::string origin_;
};

struct MapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace alembic_fix
