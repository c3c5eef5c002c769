#include "compiler/prefilter.h"

#include "compiler/encoding.h"
#include "compiler/sql_text.h"
#include "compiler/migration.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <span>
#include <vector>

namespace alembic_fix {
namespace {

struct Token {
  enum Kind { kName, kString, kPunct } kind;
  std::string_view text;     // the whole token (a string with its prefix and quotes)
  std::string_view content;  // a string's content between the quotes
  std::string_view prefix;   // a string's prefix letters (r, b, f, u...)
  uint32_t line;
  bool line_start;  // first token of its line, at column 0
  uint32_t depth;   // brackets around it (around a bracket: those outside it)
};

// ASCII by hand: std::isalpha and std::tolower consult the locale, a call per byte scanned.
bool is_name_start(unsigned char c) { return c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80; }
bool is_name_char(unsigned char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
char ascii_lower(unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c); }

// Python tokens, enough to find names, string literals and brackets; comments dropped.
class Tokenizer {
 public:
  Tokenizer(std::string_view s, std::vector<Token>& out) : s_(s), out_(out) {}

  // False on anything it cannot tokenise with certainty (an unterminated string, say).
  bool run() {
    while (i_ < s_.size()) {
      unsigned char c = s_[i_];
      if (c == '\n') {
        ++line_;
        line_begin_ = ++i_;
      } else if (c == '\\') {
        if (s_.substr(i_ + 1, 1) == "\n" || s_.substr(i_ + 1, 2) == "\r\n") continued_ = true;
        ++i_;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        ++i_;
      } else if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (!token()) {
        return false;
      }
    }
    return true;
  }

 private:
  // A statement starts here only if the line before ended one: tree-sitter reads `bic.` then a
  // new line `revision = 1` as `bic.revision = 1`, so after an operator it is no start.
  bool at_statement_start() const {
    bool after_complete = out_.empty() || out_.back().kind != Token::kPunct ||
                          std::string_view(")]}").find(out_.back().text[0]) != std::string_view::npos ||
                          std::isalnum(static_cast<unsigned char>(out_.back().text[0]));
    return i_ == line_begin_ && depth_ == 0 && !continued_ && after_complete;
  }

  // The token at i_: a name, a string (with its prefix letters) or one punctuation character.
  bool token() {
    size_t start = i_;
    bool at_start = at_statement_start();
    continued_ = false;
    size_t prefix_end = i_;
    if (is_name_start(s_[i_])) {
      while (prefix_end < s_.size() && is_name_char(s_[prefix_end])) ++prefix_end;
      std::string_view name = s_.substr(i_, prefix_end - i_);
      bool string_prefix = name.size() <= 2 && prefix_end < s_.size() &&
                           (s_[prefix_end] == '"' || s_[prefix_end] == '\'') &&
                           name.find_first_not_of("rRbBuUfF") == std::string_view::npos;
      if (!string_prefix) {
        out_.push_back({Token::kName, name, {}, {}, line_, at_start, depth_});
        i_ = prefix_end;
        return true;
      }
    }
    if (s_[prefix_end] == '"' || s_[prefix_end] == '\'') return string(start, prefix_end, at_start);
    char c = s_[i_];
    uint32_t outside = depth_;
    if (c == '(' || c == '[' || c == '{') ++depth_;
    if ((c == ')' || c == ']' || c == '}') && depth_ > 0) outside = --depth_;
    out_.push_back({Token::kPunct, s_.substr(i_, 1), {}, {}, line_, at_start, outside});
    ++i_;
    return true;
  }

  // A string literal whose prefix starts at `start` and whose quotes start at `open_at`.
  bool string(size_t start, size_t open_at, bool at_start) {
    char quote = s_[open_at];
    bool triple = s_.substr(open_at, 3) == std::string(3, quote);
    size_t open = triple ? 3 : 1;
    size_t j = open_at + open;
    uint32_t start_line = line_;
    for (;;) {
      if (j >= s_.size()) return false;
      char d = s_[j];
      if (d == '\\') {
        if (j + 1 < s_.size() && s_[j + 1] == '\n') ++line_;
        j += 2;
        continue;
      }
      if (d == '\n') {
        if (!triple) return false;
        ++line_;
        line_begin_ = j + 1;
      }
      if (d == quote && (!triple || s_.substr(j, 3) == s_.substr(open_at, 3))) break;
      ++j;
    }
    i_ = j + open;
    out_.push_back({Token::kString, s_.substr(start, i_ - start), s_.substr(open_at + open, j - open_at - open),
                    s_.substr(start, open_at - start), start_line, at_start, depth_});
    return true;
  }

  std::string_view s_;
  std::vector<Token>& out_;
  size_t i_ = 0;
  uint32_t line_ = 1;
  size_t line_begin_ = 0;
  uint32_t depth_ = 0;     // inside brackets a new line continues the statement
  bool continued_ = false;  // after a backslash-newline likewise
};

bool tokenize(std::string_view s, std::vector<Token>& out) { return Tokenizer(s, out).run(); }

// Autogenerated migrations hold about one token per four bytes: reserving that once saves the
// vector's regrowth on every file (a guess only; a wrong one costs a reallocation, not a result).
constexpr size_t kBytesPerToken = 4;

bool is_schema_keyword(std::string_view name) {
  for (const AlembicOp& op : alembic_ops())
    if (op.schema_keyword == name) return true;
  return false;
}

size_t count(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

bool plain_string(const Token& t) {
  return t.kind == Token::kString && (t.prefix.empty() || t.prefix == "u" || t.prefix == "U");
}

// The table a plain literal argument names: "x" or op.f("x"); nullopt for anything else.
std::optional<std::string_view> literal_argument(std::span<const Token> arg) {
  if (arg.size() == 1 && plain_string(arg[0])) return arg[0].content;
  if (arg.size() == 6 && arg[0].text == "op" && arg[1].text == "." && arg[2].text == "f" && arg[3].text == "(" &&
      plain_string(arg[4]) && arg[5].text == ")")
    return arg[4].content;
  return std::nullopt;
}

// The top-level arguments of the call whose method name is at `at`; nullopt when the call is
// unterminated or splats (*args, **kw): its positions are then not static.
std::optional<std::vector<std::span<const Token>>> call_arguments(const std::vector<Token>& tokens, size_t at) {
  std::vector<std::span<const Token>> args;
  size_t arg_start = at + 2;  // past the name and "("
  int depth = 0;
  for (size_t i = arg_start; i < tokens.size(); ++i) {
    std::string_view t = tokens[i].kind == Token::kPunct ? tokens[i].text : std::string_view();
    if (t == "(" || t == "[" || t == "{") ++depth;
    else if ((t == ")" || t == "]" || t == "}") && depth > 0) --depth;
    else if (t == "*" && depth == 0) return std::nullopt;
    else if ((t == "," || t == ")") && depth == 0) {
      if (i > arg_start) args.emplace_back(&tokens[arg_start], i - arg_start);
      arg_start = i + 1;
      if (t == ")") return args;
    }
  }
  return std::nullopt;
}

bool is_keyword_argument(std::span<const Token> arg) {
  return arg.size() >= 2 && arg[0].kind == Token::kName && arg[1].text == "=" && (arg.size() < 3 || arg[2].text != "=");
}

bool is_none(std::span<const Token> value) { return value.size() == 1 && value[0].text == "None"; }

// A schema that cannot change what the file's tables are: None, or a plain literal (the parser
// resolves it as the scan reads it) when no map pattern names a schema.
bool inert_schema(std::span<const Token> value, const TargetMap& maps) {
  return is_none(value) || (!maps.has_schema_patterns() && value.size() == 1 && plain_string(value[0]));
}

// A schema passed by position (Alembic before 1.11) may give the table to another target by a
// dotted pattern, which no single literal shows: the parser decides.
bool passes_positional_schema(std::span<const std::span<const Token>> args, const AlembicOp& op,
                              const TargetMap& maps) {
  if (!op.schema_position) return false;
  size_t positional = 0;
  for (auto arg : args) {
    if (is_keyword_argument(arg)) continue;
    if (positional++ == *op.schema_position) return !inert_schema(arg, maps);
  }
  return false;
}

// True when the op's table is a literal the target owns, with no schema.
bool names_own_table(std::span<const std::span<const Token>> args, const AlembicOp& op, const TargetMap& maps,
                     uint64_t own_bit) {
  std::optional<std::string_view> table;
  size_t positional = 0;
  for (auto arg : args) {
    if (is_keyword_argument(arg)) {
      auto value = arg.subspan(2);
      if (arg[0].text == op.schema_keyword && !inert_schema(value, maps)) return false;
      if (arg[0].text == op.table_keyword) {
        table = literal_argument(value);
        if (!table) return false;
      }
      continue;
    }
    if (positional++ == op.table_position) {
      if (table) return false;
      table = literal_argument(arg);
      if (!table) return false;
    }
  }
  return table && (maps.owner_mask(TableRef{std::string(*table), {}}) & own_bit);
}

// `<receiver>.<name>(...)` at `at`, an operation of the table: false when a pass could fire on
// it. Drops must name an own table (or the wrong-target-drop pass has something to say), and
// so must a batch block, whose batch_op.* drops take its table.
bool op_call_is_clean(const std::vector<Token>& tokens, size_t at, const AlembicOp& op, const TargetMap& maps,
                      uint64_t own_bit) {
  bool on_op = at >= 2 && tokens[at - 1].text == "." && tokens[at - 2].text == "op";
  bool must_name_own = op.kind == OpKind::kDrop || op.kind == OpKind::kBatch;
  // batch_op.drop_column(...) is judged by its with-block's batch_alter_table.
  if (!on_op) return op.kind != OpKind::kBatch;
  auto args = call_arguments(tokens, at);
  if (!args) return false;
  if (passes_positional_schema(*args, op, maps)) return false;
  return !must_name_own || names_own_table(*args, op, maps, own_bit);
}

struct ModuleHeader {
  bool migration = false;                 // a `revision` identifier statement
  std::optional<std::string> annotation;  // the target a plain `MIGRATION_TARGET = "x"` names
};

// What read_migration() would find at the top level: statements at column 0.
ModuleHeader read_header(const std::vector<Token>& tokens) {
  ModuleHeader header;
  for (size_t i = 0; i + 2 < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != Token::kName || !t.line_start) continue;
    if (t.text == "MIGRATION_TARGET" && tokens[i + 1].text == "=" && plain_string(tokens[i + 2]) &&
        (i + 3 == tokens.size() || tokens[i + 3].line > tokens[i + 2].line))
      header.annotation = std::string(tokens[i + 2].content);
    if (t.text == "revision" && (tokens[i + 1].text == ":" || (tokens[i + 1].text == "=" && tokens[i + 2].text != "=")))
      header.migration = true;
  }
  return header;
}

bool is_identifier_name(std::string_view name) {
  return name == "revision" || name == "down_revision" || name == "branch_labels" || name == "depends_on";
}

// One past the last byte of the last revision identifier statement, where read_migration()'s
// identifiers_end ends, when each of those names is only assigned at the top level by a
// statement of its own and branch_labels is None; else nullopt (the parser decides). A statement
// runs to the token before the next one that starts a line at column 0.
std::optional<size_t> identifiers_end(const std::vector<Token>& tokens, std::string_view text) {
  std::optional<size_t> end;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Token::kPunct && t.text == ";") return std::nullopt;  // statements sharing a line
    if (t.kind != Token::kName || !is_identifier_name(t.text)) continue;
    if (i > 0 && tokens[i - 1].text == ".") continue;  // an attribute: `context.revision`
    bool assigned = t.line_start && i + 1 < tokens.size() &&
                    (tokens[i + 1].text == ":" ||
                     (tokens[i + 1].text == "=" && (i + 2 == tokens.size() || tokens[i + 2].text != "=")));
    if (!assigned) return std::nullopt;
    size_t last = i + 1;
    while (last + 1 < tokens.size() && !tokens[last + 1].line_start) ++last;
    // branch_labels naming a target would decide the target before the folder: None names none.
    if (t.text == "branch_labels" && !(tokens[last].text == "None" && tokens[last - 1].text == "="))
      return std::nullopt;
    const Token& final_token = tokens[last];
    end = std::max(end.value_or(0),
                   static_cast<size_t>(final_token.text.data() + final_token.text.size() - text.data()));
  }
  return end;
}

// The file's target and, when it has no annotation yet, where the annotation goes; nullopt
// unless the hints and the file agree the way decide_target() would find them agreeing.
std::optional<ScanVerdict> scan_target(const std::vector<Token>& tokens, std::string_view text,
                                       const TargetHints& hints, bool annotated) {
  ModuleHeader header = read_header(tokens);
  if (!header.migration) return std::nullopt;
  if (annotated) {
    if (!header.annotation) return std::nullopt;
    if (hints.option && *hints.option != *header.annotation) return std::nullopt;
    if (hints.folder && *hints.folder != *header.annotation) return std::nullopt;
    return ScanVerdict{std::move(*header.annotation), std::nullopt};
  }
  if (!hints.option && !hints.folder) return std::nullopt;  // branch_labels or the tables decide
  if (hints.option && hints.folder && *hints.option != *hints.folder) return std::nullopt;
  auto end = identifiers_end(tokens, text);
  if (!end) return std::nullopt;
  return ScanVerdict{hints.option ? *hints.option : *hints.folder, end};
}

// kNoForeignSql for one literal: no DROP in SQL, and no word (SQL identifiers, dotted or not, case-folded
// as databases fold them) that only other targets' tables are named.
// `drop_is_prose`: DROP here is no reason to refuse the literal. It is one only in .execute(...)
// SQL that execute_sql_owned() has not judged whole: raw-sql reads SQL nowhere else, and there
// adjacent pieces may spell a DROP its bracketed text does not show ('DR' 'OP INDEX ...').
bool literal_words_clean(std::string_view content, const TargetMap& maps, uint64_t own_bit, bool drop_is_prose) {
  std::string word;
  auto foreign_word = [&]() {
    if (word.empty()) return false;
    if (word == "drop") return !drop_is_prose;
    uint64_t owners = maps.owner_mask(TableRef{word, {}});
    size_t dot = word.rfind('.');
    if (!owners && dot != std::string::npos) owners = maps.owner_mask(TableRef{word.substr(dot + 1), word.substr(0, dot)});
    return owners && !(owners & own_bit);
  };
  for (char c : content) {
    unsigned char u = static_cast<unsigned char>(c);
    if (is_name_char(u) || c == '$' || c == '.') {
      word += ascii_lower(u);
      continue;
    }
    if (foreign_word()) return false;
    word.clear();
  }
  return !foreign_word();
}

// An f-string's replacement fields, read as the tokenizer read the string: each `{` closed, with
// the strings inside a field closed too, and no `op` in a field (the parser sees an op call or an
// op taken as a value there; any other call reaches no operation the scan does not see, since
// `alembic.op`, `from alembic.op import` and aliases of op already send the file to the parser).
// A field holding the string's own quote (PEP 701) makes the tokenizer end the string early,
// inside a field: that shows as a field left open.
bool fields_plain(std::string_view content) {
  int depth = 0;
  for (size_t i = 0; i < content.size(); ++i) {
    char c = content[i];
    if (depth == 0 && (c == '{' || c == '}') && i + 1 < content.size() && content[i + 1] == c) {
      ++i;  // `{{` and `}}` are the braces themselves
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth < 0) return false;
    } else if (depth > 0 && (c == '\'' || c == '"')) {
      size_t close = content.find(c, i + 1);
      if (close == std::string_view::npos) return false;
      i = close;
    } else if (depth > 0 && content.substr(i, 2) == "op") {
      return false;
    }
  }
  return depth == 0;
}

// How a pass reads the strings of a place, for each token: not at all, or as an .execute(...)
// argument (kAsSql), or exactly (kExactly): an op call's table and schema arguments and the
// top-level statements (revision identifiers, the annotation). Any other string in a function
// body is read by no pass while the scan proves nothing is removed: the scan need not read it
// exactly, only tokenise it right. raw-sql reads .execute(...) SQL exactly only when it is a
// plain literal, else only whether its text says drop, which execute_text_says_drop() and
// execute_sql_owned() judge; its implicitly concatenated literals are judged whole all the same.
// Any `<x>.<operation>(` counts (op, batch_op, an alias).
enum Reading : uint8_t { kNotRead, kAsSql, kExactly };
std::vector<Reading> read_exactly(const std::vector<Token>& tokens) {
  std::vector<Reading> exact(tokens.size(), kNotRead);
  bool in_function = false;
  auto mark = [&](size_t from, size_t to, Reading how = kExactly) {
    for (size_t k = from; k < to && k < tokens.size(); ++k) exact[k] = std::max(exact[k], how);
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.line_start) in_function = t.text == "def" || t.text == "async";
    if (!in_function) exact[i] = kExactly;
    bool call = t.kind == Token::kName && i > 0 && tokens[i - 1].text == "." && i + 1 < tokens.size() &&
                tokens[i + 1].text == "(";
    const AlembicOp* op = call ? find_alembic_op(t.text) : nullptr;
    if (!call || (!op && t.text != "execute")) continue;
    auto args = op ? call_arguments(tokens, i) : std::nullopt;
    if (!args) {  // .execute(...), or positions that are not static: the whole call
      size_t close = i + 2;
      while (close < tokens.size() &&
             !(tokens[close].kind == Token::kPunct && tokens[close].text == ")" && tokens[close].depth == tokens[i + 1].depth))
        ++close;
      mark(i, close + 1, op ? kExactly : kAsSql);
      continue;
    }
    size_t positional = 0;
    for (auto arg : *args) {
      bool keyword = is_keyword_argument(arg);
      bool table_or_schema =
          keyword ? (arg[0].text == op->table_keyword || arg[0].text == op->schema_keyword)
                  : (positional == op->table_position || (op->schema_position && positional == *op->schema_position));
      if (!keyword) ++positional;
      size_t from = static_cast<size_t>(arg.data() - tokens.data());
      if (table_or_schema) mark(from, from + arg.size());
    }
  }
  return exact;
}

// Adjacent plain strings from `first`, which Python (and the parser) read as one string; `last`
// is set to the last of them.
std::string concatenated(const std::vector<Token>& tokens, size_t first, size_t& last) {
  std::string out;
  for (last = first; last < tokens.size() && plain_string(tokens[last]); ++last) out += tokens[last].content;
  --last;
  return out;
}

// A string the scan cannot read exactly where a pass reads it, or may be mistaken about where
// it ends (read_exactly: whether a pass reads it).
bool string_needs_parser(const Token& t, bool read_exactly) {
  bool f_string = t.prefix.find_first_of("fF") != std::string_view::npos && t.content.find('{') != std::string_view::npos;
  if (f_string && !fields_plain(t.content)) return true;
  if (!read_exactly) return false;
  // An escape could spell a table the scan cannot see; an f-string's fields are run-time values.
  return t.content.find('\\') != std::string_view::npos || f_string;
}

// raw-sql reads an op.execute() argument it cannot evaluate (a name, a call) as SQL built at run
// time, and warns when its text says "drop" in any case: in a name or a comment as much as in a
// string. So the bytes between the brackets of any `.execute(...)` must not say it.
bool execute_text_says_drop(const std::vector<Token>& tokens, size_t at, std::string_view text) {
  if (at == 0 || tokens[at - 1].text != "." || at + 1 >= tokens.size() || tokens[at + 1].text != "(") return false;
  int depth = 0;
  for (size_t i = at + 1; i < tokens.size(); ++i) {
    std::string_view t = tokens[i].kind == Token::kPunct ? tokens[i].text : std::string_view();
    if (t == "(" || t == "[" || t == "{") ++depth;
    if ((t == ")" || t == "]" || t == "}") && --depth == 0) {
      size_t from = static_cast<size_t>(tokens[at + 1].text.data() - text.data());
      size_t to = static_cast<size_t>(tokens[i].text.data() - text.data());
      std::string lower(text.substr(from, to - from));
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return ascii_lower(c); });
      return lower.find("drop") != std::string::npos;
    }
  }
  return true;  // unterminated: the parser decides
}

// A name raw-sql reads from SQL ("schema.table" or "table") and judges by ownership(): only the
// map can make it another target's (the history only ever makes a table own).
bool map_says_foreign(const std::string& name, const TargetMap& maps, std::string_view target) {
  size_t dot = name.rfind('.');
  TableRef table{dot == std::string::npos ? name : name.substr(dot + 1),
                 dot == std::string::npos ? std::string() : name.substr(0, dot)};
  return maps.classify(table, target) == Ownership::kForeign;
}

// `.execute(` at `at` whose argument raw-sql reads as a literal: plain strings (adjacent ones
// joined), or one call of them (`sa.text("...")`), nothing else. True when, read as raw-sql
// reads it (read_sql), nothing it drops or names is another target's by the map, and no index it
// drops holds the name of such a table (raw-sql's guess): raw-sql has nothing to say of it.
// `close` is set to its closing bracket.
bool execute_sql_owned(const std::vector<Token>& tokens, size_t at, const TargetMap& maps, std::string_view target,
                       size_t& close) {
  auto punct = [&](size_t k, std::string_view p) {
    return k < tokens.size() && tokens[k].kind == Token::kPunct && tokens[k].text == p;
  };
  if (!punct(at + 1, "(")) return false;
  size_t k = at + 2;
  bool wrapped = false;
  if (k < tokens.size() && tokens[k].kind == Token::kName) {
    while (punct(k + 1, ".") && k + 2 < tokens.size() && tokens[k + 2].kind == Token::kName) k += 2;
    if (!punct(k + 1, "(")) return false;
    k += 2;
    wrapped = true;
  }
  std::string sql;
  size_t first = k;
  for (; k < tokens.size() && plain_string(tokens[k]); ++k) {
    if (tokens[k].content.find('\\') != std::string_view::npos) return false;
    sql += tokens[k].content;
  }
  if (k == first || !punct(k, ")") || (wrapped && !punct(++k, ")"))) return false;
  close = k;
  SqlWords words = read_sql(sql);
  auto foreign = [&](const std::string& name) { return map_says_foreign(name, maps, target); };
  if (std::any_of(words.dropped_tables.begin(), words.dropped_tables.end(), foreign) ||
      std::any_of(words.names.begin(), words.names.end(), foreign))
    return false;
  for (const auto& index : words.dropped_indexes)
    for (const auto& t : maps.targets())
      for (const auto& p : t.patterns)
        if (p.find_first_of("*?[") == std::string::npos && index.find(p) != std::string::npos && foreign(p))
          return false;
  return true;
}

// kPlainOp: `alembic . op`, `import op as` / `op as` in an import, `getattr ( op`, and `op . name`
// not followed by `(` each mean a way to reach an operation the scan does not follow.
bool op_reached_plainly(const std::vector<Token>& tokens, size_t i) {
  auto at = [&](size_t k, std::string_view text) { return k < tokens.size() && tokens[k].text == text; };
  const Token& t = tokens[i];
  if (t.kind != Token::kName) return true;
  if (t.text == "alembic" && at(i + 1, ".")) return false;
  if (t.text == "op" && at(i + 1, "as")) return false;
  if (t.text == "getattr" && at(i + 1, "(") && at(i + 2, "op")) return false;
  if (t.text == "op" && at(i + 1, ".") && i + 2 < tokens.size() && !at(i + 3, "(")) return false;
  return true;
}

}  // namespace

std::optional<ScanVerdict> scan_file(std::string_view text, const TargetMap& maps, const TargetHints& hints,
                                     bool encoding_checked) {
  // At most one annotation, and nothing else that looks like one.
  size_t annotations = count(text, "MIGRATION_TARGET");
  if (annotations > 1) return std::nullopt;
  if (!encoding_checked) {
    if (first_non_text_byte(text) != std::string_view::npos) return std::nullopt;
    // A PEP 263 cookie means the bytes may not be UTF-8: encoding_problem() decides.
    size_t second_line_end = text.find('\n', text.find('\n') + 1);
    if (text.substr(0, second_line_end).find("coding") != std::string_view::npos) return std::nullopt;
  }
  if (text.find("alembic-fix:") != std::string_view::npos) return std::nullopt;  // a pragma

  std::vector<Token> tokens;
  tokens.reserve(text.size() / kBytesPerToken);
  if (!tokenize(text, tokens)) return std::nullopt;

  std::optional<ScanVerdict> verdict = scan_target(tokens, text, hints, annotations == 1);
  if (!verdict) return std::nullopt;
  const std::string& target = verdict->target;
  int index = maps.target_index(target);
  if (index < 0) return std::nullopt;
  const uint64_t own_bit = uint64_t{1} << index;

  std::vector<Reading> exact = read_exactly(tokens);
  size_t sql_end = 0;  // tokens before it, from an .execute(...) whose SQL execute_sql_owned() read
  // A docstring or a comment= saying "drop the old column" is prose: only .execute(...) holds SQL.
  // What a literal says: no other target, no table only other targets list, no foreign SQL.
  auto literal_clean = [&](std::string_view content, size_t at) {
    if (content.empty()) return true;
    if (content != target && maps.has_target(content)) return false;  // branch_labels = "hq"?
    uint64_t owners = maps.owner_mask(TableRef{std::string(content), {}});
    if (owners && !(owners & own_bit)) return false;
    return literal_words_clean(content, maps, own_bit, exact[at] != kAsSql || at < sql_end);
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Token::kString) {
      if (string_needs_parser(t, exact[i] == kExactly)) return std::nullopt;
      if (!literal_clean(t.content, i)) return std::nullopt;
      bool starts_run = i + 1 < tokens.size() && tokens[i + 1].kind == Token::kString &&
                        !(i > 0 && tokens[i - 1].kind == Token::kString);
      if (exact[i] != kNotRead && starts_run) {
        // Concatenated where a pass reads it: the parser reads the plain pieces as one string,
        // so the scan judges them whole; any other piece it cannot join.
        if (!plain_string(t)) return std::nullopt;
        size_t last = i;
        std::string whole = concatenated(tokens, i, last);
        if (last + 1 < tokens.size() && tokens[last + 1].kind == Token::kString) return std::nullopt;
        if (!literal_clean(whole, i)) return std::nullopt;
      }
      continue;
    }

    if (t.kind != Token::kName) continue;
    if (!op_reached_plainly(tokens, i)) return std::nullopt;
    if (t.text == "execute" && execute_text_says_drop(tokens, i, text)) {
      size_t close = 0;
      if (!execute_sql_owned(tokens, i, maps, target, close)) return std::nullopt;
      sql_end = close;
    }
    // `schema="reporting"` puts a table under a schema the map may give to another target by a
    // dotted pattern, which no single literal shows: the parser decides. schema=None is no schema.
    if (is_schema_keyword(t.text) && i + 2 < tokens.size() && tokens[i + 1].text == "=" &&
        !(i + 3 < tokens.size() && (tokens[i + 3].text == "," || tokens[i + 3].text == ")") &&
          inert_schema(std::span(tokens).subspan(i + 2, 1), maps)))
      return std::nullopt;
    // Alembic's multidb template cleans each function for its own engine: parse those.
    if (t.text == "def" && i + 1 < tokens.size() &&
        (tokens[i + 1].text.starts_with("upgrade_") || tokens[i + 1].text.starts_with("downgrade_")))
      return std::nullopt;
    if (i + 1 >= tokens.size() || tokens[i + 1].text != "(") continue;
    const AlembicOp* op = find_alembic_op(t.text);
    if (op && !op_call_is_clean(tokens, i, *op, maps, own_bit)) return std::nullopt;
  }
  return verdict;
}

std::optional<std::string> proven_clean(std::string_view text, const TargetMap& maps, const TargetHints& hints) {
  auto verdict = scan_file(text, maps, hints);
  if (!verdict || verdict->annotate_after) return std::nullopt;
  return std::move(verdict->target);
}

namespace {

// The index of the first token of the value `name = value` (or `name: type = value`) assigns,
// for the statement whose first token is at `at`; 0 when the statement is no such assignment.
size_t assigned_value(const std::vector<Token>& tokens, size_t at) {
  size_t k = at + 1;
  if (k < tokens.size() && tokens[k].text == ":")
    while (k < tokens.size() && tokens[k].text != "=" && !tokens[k].line_start) ++k;
  bool assignment = k + 1 < tokens.size() && tokens[k].text == "=" && tokens[k + 1].text != "=";
  return assignment ? k + 1 : 0;
}

// The table an op.create_table / op.rename_table call at `at` makes (rename: its new name), with
// its schema; nullopt when either is not a plain literal, so the parser must read it.
std::optional<TableRef> made_table(const std::vector<Token>& tokens, size_t at, bool rename) {
  auto args = call_arguments(tokens, at);
  if (!args) return std::nullopt;
  std::string_view table_keyword = rename ? "new_table_name" : "table_name";
  size_t table_position = rename ? 1 : 0;
  std::optional<std::string_view> name, schema;
  size_t positional = 0;
  auto literal = [](std::span<const Token> value, std::optional<std::string_view>& into) {
    into = literal_argument(value);
    return into && into->find('\\') == std::string_view::npos;
  };
  for (auto arg : *args) {
    if (is_keyword_argument(arg)) {
      auto value = arg.subspan(2);
      if (arg[0].text == "schema" && !is_none(value) && !literal(value, schema)) return std::nullopt;
      if (arg[0].text == table_keyword && !literal(value, name)) return std::nullopt;
      continue;
    }
    // rename_table(old, new, schema) may pass its schema by position (Alembic before 1.11).
    if (positional == table_position && !literal(arg, name)) return std::nullopt;
    if (rename && positional == 2 && !is_none(arg) && !literal(arg, schema)) return std::nullopt;
    ++positional;
  }
  if (!name) return std::nullopt;
  return TableRef{std::string(*name), schema ? std::string(*schema) : std::string()};
}

}  // namespace

std::optional<ScannedCreates> scan_creates(std::string_view text, const TargetMap& maps) {
  size_t annotations = count(text, "MIGRATION_TARGET");
  if (annotations > 1) return std::nullopt;
  std::vector<Token> tokens;
  tokens.reserve(text.size() / kBytesPerToken);
  if (!tokenize(text, tokens)) return std::nullopt;
  ScannedCreates out;
  if (ModuleHeader header = read_header(tokens); header.migration) out.annotation = std::move(header.annotation);
  if (annotations && !out.annotation) return std::nullopt;  // not plain, or no revision: the parser says
  // kHelper: a module-level function other than upgrade/downgrade, or a class. The parser reads a
  // helper's ops as its callers' (and a class may hold any code): a create or rename there is the
  // parser's to read; other ops create nothing, but may vote in rule 5 as upgrade()'s would.
  enum class In { kModule, kUpgrade, kDowngrade, kHelper } in = In::kModule;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    auto next_is = [&](size_t k, std::string_view s) { return i + k < tokens.size() && tokens[i + k].text == s; };
    if (t.line_start) {
      in = In::kModule;
      if (t.text == "def" && i + 1 < tokens.size()) {
        std::string_view name = tokens[i + 1].text;
        if (name.starts_with("upgrade_") || name.starts_with("downgrade_")) return std::nullopt;  // multidb
        in = name == "upgrade" ? In::kUpgrade : name == "downgrade" ? In::kDowngrade : In::kHelper;
      } else if (t.text == "class") {
        in = In::kHelper;
      } else if (t.text == "revision") {
        if (next_is(1, ",")) return std::nullopt;  // identifiers assigned as a tuple
        if (size_t v = assigned_value(tokens, i)) {
          out.migration = true;
          if (plain_string(tokens[v]) && tokens[v].content.find('\\') == std::string_view::npos)
            out.revision = std::string(tokens[v].content);
        }
      } else if (t.text == "branch_labels") {
        size_t v = assigned_value(tokens, i);
        if (!v || tokens[v].text != "None") return std::nullopt;
      } else if (t.text == "async") {
        return std::nullopt;
      }
    } else if (in == In::kHelper) {
      if (t.kind == Token::kName && t.text == "op") {
        if (next_is(1, ".") && (next_is(2, "create_table") || next_is(2, "rename_table"))) return std::nullopt;
        out.names_listed_table = true;
      }
    } else if (t.kind == Token::kName && t.text == "def") {
      return std::nullopt;  // a function inside upgrade() or downgrade()
    }
    if (!op_reached_plainly(tokens, i)) return std::nullopt;
    if (t.kind == Token::kString && in == In::kUpgrade && maps.owner_mask(TableRef{std::string(t.content), {}}))
      out.names_listed_table = true;
    bool on_op = i >= 2 && tokens[i - 1].text == "." && tokens[i - 2].text == "op" && next_is(1, "(");
    if (!on_op || (t.text != "create_table" && t.text != "rename_table")) continue;
    if (in == In::kDowngrade) continue;  // a downgrade's create undoes its upgrade's drop
    if (in != In::kUpgrade) return std::nullopt;
    auto table = made_table(tokens, i, t.text == "rename_table");
    if (!table) return std::nullopt;
    out.creates.push_back({std::move(*table), static_cast<size_t>(tokens[i - 2].text.data() - text.data())});
  }
  return out;
}

}  // namespace alembic_fix
