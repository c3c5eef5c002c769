#include "compiler/history.h"

#include <algorithm>

#include "compiler/encoding.h"
#include "compiler/file_target.h"
#include "compiler/prefilter.h"

namespace alembic_fix {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// The file's target by the rules the scan can apply (no branch_labels, no multidb): its
// annotation, else its folder, else the command line when no literal of upgrade() names a listed
// table (rule 5 then has no answer). nullopt: the parser must decide; "" when nothing decides it.
std::optional<std::string> scanned_target(const ScannedCreates& scan, const TargetMap& maps, const HistoryHints& hints) {
  if (scan.annotation) return maps.has_target(*scan.annotation) ? *scan.annotation : std::string();
  if (hints.folder) return *hints.folder;
  if (scan.names_listed_table) return std::nullopt;
  return hints.option.value_or(std::string());
}

// The targets a parsed file is for, as the fixer decides them; where the command line disagrees
// with the file, the file's own rules (a history file is read, never fixed). Empty: undecided.
std::vector<std::string> parsed_targets(const Source& src, const Migration& view, const TargetMap& maps,
                                        const HistoryHints& hints) {
  auto decision = decide_target(src, view, maps, {hints.option, false, hints.folder});
  if (std::holds_alternative<Diagnostic>(decision) && hints.option)
    decision = decide_target(src, view, maps, {std::nullopt, false, hints.folder});
  auto* decided = std::get_if<TargetDecision>(&decision);
  if (!decided) return {};
  std::vector<std::string> out{decided->target};
  out.insert(out.end(), decided->also.begin(), decided->also.end());
  return out;
}

// rename_table's new name: its second argument, or new_table_name=.
std::optional<std::string> renamed_to(const SyntaxTree& tree, TSNode call) {
  Arguments args = read_arguments(tree, call);
  TSNode value = args.keyword("new_table_name");
  if (ts_node_is_null(value) && args.positional.size() > 1) value = args.positional[1];
  if (ts_node_is_null(value)) return std::nullopt;
  return string_value(tree, value);
}


// What the parser's path says of bytes that are not text it reads: nothing.
HistoryFile not_text() {
  HistoryFile out;
  out.parsed = true;
  return out;
}

}  // namespace

HistoryFile parse_history_file(std::string_view bytes, const TargetMap& maps, const HistoryHints& hints,
                               PythonParser& parser) {
  HistoryFile out;
  out.parsed = true;
  Source src{std::string(bytes)};
  if (encoding_problem(src)) return out;
  SyntaxTree tree = parser.parse(src.parse_text());
  if (tree.first_error()) return out;  // a file that does not parse says nothing
  Migration view = read_migration(tree);
  if (!view.is_migration) return out;
  out.migration = true;
  out.revision = view.revision.value_or("");
  std::vector<std::string> targets = parsed_targets(src, view, maps, hints);
  for (const auto& fn : view.functions) {
    if (fn.role != FunctionRole::kUpgrade) continue;
    std::vector<std::string> fn_targets = targets;
    if (!fn.engine.empty()) {  // multidb: the engine's function is its target's
      if (!maps.has_target(fn.engine)) continue;
      fn_targets = {std::string(fn.engine)};
    }
    for (const auto& op : fn.ops) {
      if (op.table_arg != TableArg::kResolved || (op.method != "create_table" && op.method != "rename_table")) continue;
      TableRef table = op.table;
      if (op.method == "rename_table") {
        auto name = renamed_to(tree, op.call);
        if (!name) continue;
        table.name = std::move(*name);
      }
      Position at = src.position(ts_node_start_byte(op.call));
      for (const auto& target : fn_targets) out.creates.push_back({target, table, at});
    }
  }
  return out;
}

HistoryFile read_history_file(std::string_view bytes, const TargetMap& maps, const HistoryHints& hints,
                              PythonParser& parser) {
  std::string_view text = bytes;
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  // A coding cookie (PEP 263: the first two lines) may name another encoding: as the fixer does
  // (compiler/pipeline.cpp), the encoding is checked first, and a file that is UTF-8 after all
  // is scanned. Not text: the parser's path says nothing of it either.
  size_t second_line_end = text.find('\n', text.find('\n') + 1);
  if (text.substr(0, second_line_end).find("coding") != std::string_view::npos) {
    if (encoding_problem(Source{std::string(bytes)})) return not_text();
  } else if (first_non_text_byte(text) != std::string_view::npos) {
    return not_text();
  }
  // Most files say nothing the history wants: no create, no rename.
  if (text.find("create_table") == std::string_view::npos && text.find("rename_table") == std::string_view::npos) {
    HistoryFile out;
    out.migration = true;  // or not: it creates nothing either way
    return out;
  }
  auto scan = scan_creates(text, maps);
  if (!scan) return parse_history_file(bytes, maps, hints, parser);
  HistoryFile out;
  out.migration = scan->migration;
  if (!scan->migration) return out;
  out.revision = scan->revision;
  auto target = scanned_target(*scan, maps, hints);
  if (!target) return parse_history_file(bytes, maps, hints, parser);
  if (target->empty()) return out;
  Source src{std::string(bytes)};  // positions as the parser's path gives them; offsets are into text()
  for (auto& create : scan->creates) out.creates.push_back({*target, create.table, src.position(create.offset)});
  return out;
}

void TableHistory::add(const std::string& path, const HistoryFile& file) {
  ++files_;
  if (file.parsed) ++parsed_files_;
  for (const auto& create : file.creates) {
    std::string name = create.table.qualified();
    refs_.try_emplace(name, create.table);
    auto& all = tables_[name];
    auto at = std::upper_bound(all.begin(), all.end(), path,
                               [](const std::string& p, const TableCreation& c) { return p < c.path; });
    all.insert(at, {create.target, file.revision, path, create.at});
  }
}

CreatedNames created_names(std::string_view bytes) {
  CreatedNames out;
  for (std::string_view call : {std::string_view("create_table"), std::string_view("rename_table")}) {
    for (size_t at = bytes.find(call); at != std::string_view::npos; at = bytes.find(call, at + call.size())) {
      size_t i = at + call.size();
      auto skip_space = [&] {
        while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) ++i;
      };
      skip_space();
      if (i >= bytes.size() || bytes[i] != '(') continue;  // not a call: `create_table_comment`, a word in a comment
      ++i;
      // The first literals, up to the two a rename names; `table_name=` and op.f( are stepped over.
      size_t found = 0;
      while (found < 2 && i < bytes.size()) {
        skip_space();
        size_t word = i;
        while (i < bytes.size() && (std::isalnum(static_cast<unsigned char>(bytes[i])) || bytes[i] == '_' ||
                                    bytes[i] == '.' || bytes[i] == '=' || bytes[i] == '('))
          ++i;
        if (i > word) continue;
        if (i >= bytes.size() || (bytes[i] != '\'' && bytes[i] != '"')) break;
        char quote = bytes[i];
        size_t end = bytes.find(quote, i + 1);
        size_t line_end = bytes.find('\n', i + 1);
        if (end == std::string_view::npos || end > line_end) break;
        std::string_view name = bytes.substr(i + 1, end - i - 1);
        i = end + 1;
        skip_space();
        if (name.find('\\') != std::string_view::npos || (i < bytes.size() && (bytes[i] == '\'' || bytes[i] == '"')))
          break;  // an escape, or literals concatenated: not the name as written
        out.names.emplace_back(name);
        ++found;
        if (i < bytes.size() && bytes[i] == ')') ++i;  // op.f('x')
        skip_space();
        if (i < bytes.size() && bytes[i] == ',') ++i;
      }
      if (found == 0) out.any = true;
    }
  }
  return out;
}

std::vector<const TableCreation*> TableHistory::creations(const TableRef& table,
                                                         std::string_view except_revision) const {
  std::vector<const TableCreation*> out;
  auto it = tables_.find(table.qualified());
  if (it == tables_.end()) return out;
  for (const auto& c : it->second) {
    if (!except_revision.empty() && c.revision == except_revision) continue;
    bool seen = std::any_of(out.begin(), out.end(), [&](const TableCreation* o) { return o->target == c.target; });
    if (!seen) out.push_back(&c);
  }
  return out;
}

const TableCreation* TableHistory::sole_creation(const TableRef& table, std::string_view except_revision) const {
  auto out = creations(table, except_revision);
  return out.size() == 1 ? out.front() : nullptr;
}

}  // namespace alembic_fix
