// A byte-level scan that proves, without parsing, that a file needs nothing: it is a migration
// annotated for a target the hints agree with, it names no other target's table or target
// anywhere, and each of its drops names one of its own tables by a plain literal. Anything the
// scan does not fully understand means "parse it": the prefilter may only ever say "clean"
// when the full pipeline would change nothing and report nothing (bar a syntax error elsewhere
// in a file the scan accepts: alembic-fix is not a linter). --no-prefilter turns it off.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/file_target.h"
#include "compiler/migration.h"
#include "compiler/target_map.h"

namespace alembic_fix {

// What proven_clean() establishes about a file it calls clean. Each pass states under which of
// these it has nothing to say (passes/pass.h: Pass::silent_when); the pipeline trusts the scan
// only when every registered pass is covered by them.
using PrefilterFacts = uint32_t;
// MIGRATION_TARGET names the file's target, and --target and the folder agree with it; or, for a
// file the scan annotates, no annotation, no branch_labels, and --target and the folder agree.
inline constexpr PrefilterFacts kAnnotatedForTarget = 1u << 0;
// Every function is cleaned for that target: no multidb upgrade_<engine>()/downgrade_<engine>().
inline constexpr PrefilterFacts kOneTarget = 1u << 1;
// No string literal names another target, or a table only other targets list; no schema is
// passed (by keyword or position) and no table is spelled by escapes or concatenation.
inline constexpr PrefilterFacts kNamesNoForeignTable = 1u << 2;
// Every op.<drop>(...) and op.batch_alter_table(...) names one of the target's tables by a
// plain literal (or op.f of one), with no *args.
inline constexpr PrefilterFacts kDropsNameOwnTables = 1u << 3;
// No string literal holds the word DROP (any case, SQL a pass would read as a drop) or a word that
// names a table only other targets list (SQL naming it); no `# alembic-fix:` pragma anywhere.
inline constexpr PrefilterFacts kNoForeignSql = 1u << 4;
// Alembic's op is reached only as the templates write it: `from alembic import op`, `op.<name>(`;
// no alias, no `alembic.op`, no `from alembic.op import`, no op attribute used but called.
inline constexpr PrefilterFacts kPlainOp = 1u << 5;
inline constexpr PrefilterFacts kPrefilterProves =
    kAnnotatedForTarget | kOneTarget | kNamesNoForeignTable | kDropsNameOwnTables | kNoForeignSql | kPlainOp;
// A pass silent under no fact the scan proves: a file must always be parsed for it.
inline constexpr PrefilterFacts kNotCovered = 1u << 31;
constexpr bool prefilter_proves(PrefilterFacts facts) { return (facts & ~kPrefilterProves) == 0; }

// What scan_file() establishes about a file it accepts.
struct ScanVerdict {
  std::string target;
  // Set when the file has no MIGRATION_TARGET yet and needs nothing else: one past the last byte
  // of its last revision identifier statement (Migration::identifiers_end), after whose line
  // annotate-target inserts the annotation. The target then comes from --target or the folder.
  std::optional<size_t> annotate_after;
};

// The scan, on the file's text without its BOM. `encoding_checked`: the caller has already found
// no encoding_problem() in the file (compiler/encoding.h), so a coding cookie or a non-UTF-8
// byte need not send it to the parser.
std::optional<ScanVerdict> scan_file(std::string_view text, const TargetMap& maps, const TargetHints& hints,
                                     bool encoding_checked = false);

// The file's target when the scan proves an annotated file clean, else nullopt.
std::optional<std::string> proven_clean(std::string_view text, const TargetMap& maps, const TargetHints& hints);

// The same scan read for the migration history (compiler/history.h): the revision, the
// annotation and the tables upgrade() creates (op.create_table) or renames to (op.rename_table),
// each with its byte offset. nullopt when the scan cannot judge the file and the parser must: op
// reached another way, a create or rename in a helper function or class, branch_labels, a multidb function, a create or rename
// whose table or schema is not a plain literal.
struct ScannedTable {
  TableRef table;
  size_t offset;
};
struct ScannedCreates {
  bool migration = false;
  std::string revision;
  std::optional<std::string> annotation;
  // A literal of upgrade() names a table the map lists, or a helper calls op: rule 5 may speak.
  bool names_listed_table = false;
  std::vector<ScannedTable> creates;
};
std::optional<ScannedCreates> scan_creates(std::string_view text, const TargetMap& maps);

}  // namespace alembic_fix
