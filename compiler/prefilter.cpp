#include "compiler/prefilter.h"

#include "compiler/encoding.h"
#include "compiler/migration.h"

#include <array>
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
};

bool is_name_start(unsigned char c) { return c == '_' || std::isalpha(c) || c >= 0x80; }
bool is_name_char(unsigned char c) { return is_name_start(c) || std::isdigit(c); }

// Python tokens, enough to find names, string literals and brackets; comments dropped. Returns
// false on anything it cannot tokenise with certainty (an unterminated string, say).
bool tokenize(std::string_view s, std::vector<Token>& out) {
  uint32_t line = 1;
  size_t line_begin = 0;
  int depth = 0;              // inside brackets a new line continues the statement
  bool continued = false;     // after a backslash-newline likewise
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c == '\n') {
      ++line;
      line_begin = ++i;
      continue;
    }
    if (c == '\\') {
      if (s.substr(i + 1, 1) == "\n" || s.substr(i + 1, 2) == "\r\n") continued = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    size_t start = i;
    // A statement starts here only if the line before ended one: tree-sitter reads `bic.` then
    // a new line `revision = 1` as `bic.revision = 1`, so after an operator it is no start.
    bool after_complete = out.empty() || out.back().kind != Token::kPunct ||
                          std::string_view(")]}").find(out.back().text[0]) != std::string_view::npos ||
                          std::isalnum(static_cast<unsigned char>(out.back().text[0]));
    bool at_start = start == line_begin && depth == 0 && !continued && after_complete;
    continued = false;
    size_t prefix_end = i;
    if (is_name_start(c)) {
      while (prefix_end < s.size() && is_name_char(s[prefix_end])) ++prefix_end;
      std::string_view name = s.substr(i, prefix_end - i);
      bool string_prefix = name.size() <= 2 && prefix_end < s.size() && (s[prefix_end] == '"' || s[prefix_end] == '\'') &&
                           name.find_first_not_of("rRbBuUfF") == std::string_view::npos;
      if (!string_prefix) {
        out.push_back({Token::kName, name, {}, {}, line, at_start});
        i = prefix_end;
        continue;
      }
    }
    if (s[prefix_end] == '"' || s[prefix_end] == '\'') {
      char quote = s[prefix_end];
      bool triple = s.substr(prefix_end, 3) == std::string(3, quote);
      size_t open = triple ? 3 : 1;
      size_t j = prefix_end + open;
      uint32_t start_line = line;
      for (;;) {
        if (j >= s.size()) return false;
        char d = s[j];
        if (d == '\\') {
          if (j + 1 < s.size() && s[j + 1] == '\n') ++line;
          j += 2;
          continue;
        }
        if (d == '\n') {
          if (!triple) return false;
          ++line;
          line_begin = j + 1;
        }
        if (d == quote && (!triple || s.substr(j, 3) == s.substr(prefix_end, 3))) break;
        ++j;
      }
      size_t close = j;
      i = close + open;
      out.push_back({Token::kString, s.substr(start, i - start), s.substr(prefix_end + open, close - prefix_end - open),
                     s.substr(start, prefix_end - start), start_line, at_start});
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    out.push_back({Token::kPunct, s.substr(i, 1), {}, {}, line, at_start});
    ++i;
  }
  return true;
}

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

// A schema passed by position (Alembic before 1.11) may give the table to another target by a
// dotted pattern, which no single literal shows: the parser decides.
bool passes_positional_schema(std::span<const std::span<const Token>> args, const AlembicOp& op) {
  if (!op.schema_position) return false;
  size_t positional = 0;
  for (auto arg : args) {
    if (is_keyword_argument(arg)) continue;
    if (positional++ == *op.schema_position) return !is_none(arg);
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
      if (arg[0].text == op.schema_keyword && !is_none(value)) return false;
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
  if (passes_positional_schema(*args, op)) return false;
  return !must_name_own || names_own_table(*args, op, maps, own_bit);
}

}  // namespace

std::optional<std::string> proven_clean(std::string_view text, const TargetMap& maps, const TargetHints& hints) {
  // One annotation, and nothing else that looks like one.
  if (count(text, "MIGRATION_TARGET") != 1) return std::nullopt;
  if (first_non_text_byte(text) != std::string_view::npos) return std::nullopt;
  // A PEP 263 cookie means the bytes may not be UTF-8: the full pipeline decides.
  size_t second_line_end = text.find('\n', text.find('\n') + 1);
  if (text.substr(0, second_line_end).find("coding") != std::string_view::npos) return std::nullopt;

  std::vector<Token> tokens;
  tokens.reserve(text.size() / 4);
  if (!tokenize(text, tokens)) return std::nullopt;

  std::optional<std::string> target;
  bool migration = false;
  for (size_t i = 0; i + 2 < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != Token::kName || !t.line_start) continue;
    if (t.text == "MIGRATION_TARGET" && tokens[i + 1].text == "=" && plain_string(tokens[i + 2]) &&
        (i + 3 == tokens.size() || tokens[i + 3].line > tokens[i + 2].line))
      target = std::string(tokens[i + 2].content);
    if (t.text == "revision" && (tokens[i + 1].text == ":" || (tokens[i + 1].text == "=" && tokens[i + 2].text != "=")))
      migration = true;
  }
  if (!target || !migration) return std::nullopt;
  int index = maps.target_index(*target);
  if (index < 0) return std::nullopt;
  if (hints.option && *hints.option != *target) return std::nullopt;
  if (hints.folder && *hints.folder != *target) return std::nullopt;
  const uint64_t own_bit = uint64_t{1} << index;

  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Token::kString) {
      // Escapes and implicit concatenation could spell a table the scan cannot see, and an
      // f-string's replacement fields may hold quotes of their own (PEP 701) it cannot pair.
      if (t.content.find('\\') != std::string_view::npos) return std::nullopt;
      if (t.prefix.find_first_of("fF") != std::string_view::npos && t.content.find('{') != std::string_view::npos)
        return std::nullopt;
      if (i + 1 < tokens.size() && tokens[i + 1].kind == Token::kString) return std::nullopt;
      if (t.content.empty() || t.content.size() > 128) continue;
      if (t.content != *target && maps.has_target(t.content)) return std::nullopt;  // branch_labels = "hq"?
      uint64_t owners = maps.owner_mask(TableRef{std::string(t.content), {}});
      if (owners && !(owners & own_bit)) return std::nullopt;
      continue;
    }
    if (t.kind != Token::kName) continue;
    // `schema="reporting"` puts a table under a schema the map may give to another target by a
    // dotted pattern, which no single literal shows: the parser decides. schema=None is no schema.
    if (is_schema_keyword(t.text) && i + 2 < tokens.size() && tokens[i + 1].text == "=" && tokens[i + 2].text != "None")
      return std::nullopt;
    // Alembic's multidb template cleans each function for its own engine: parse those.
    if (t.text == "def" && i + 1 < tokens.size() &&
        (tokens[i + 1].text.starts_with("upgrade_") || tokens[i + 1].text.starts_with("downgrade_")))
      return std::nullopt;
    if (i + 1 >= tokens.size() || tokens[i + 1].text != "(") continue;
    const AlembicOp* op = find_alembic_op(t.text);
    if (op && !op_call_is_clean(tokens, i, *op, maps, own_bit)) return std::nullopt;
  }
  return target;
}

}  // namespace alembic_fix
