#include "compiler/sql_text.h"

#include <cctype>

namespace alembic_fix {
namespace {

struct Word {
  std::string text;  // lower-cased unless quoted; "," or ";" for a separator
  bool quoted = false;
  bool name = true;
};

bool starts_name(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool in_name(unsigned char c) { return starts_name(c) || std::isdigit(c) || c == '$'; }

// The end of the literal or quoted name opening at `i` (one past its closing character).
size_t after_quote(std::string_view s, size_t i, char close) {
  size_t end = s.find(close, i + 1);
  return end == std::string_view::npos ? s.size() : end + 1;
}

// Identifiers, keywords and the separators `,` `;`, with `a.b` joined into one word; string
// literals, numbers, comments and operators are skipped (a name inside a literal is data).
std::vector<Word> words(std::string_view s) {
  std::vector<Word> out;
  bool after_dot = false;  // the previous name was followed by a dot: the next name joins it
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    Word w;
    if (s.substr(i, 2) == "--") {
      size_t end = s.find('\n', i);
      i = end == std::string_view::npos ? s.size() : end;
      continue;
    } else if (s.substr(i, 2) == "/*") {
      size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
      continue;
    } else if (c == '"' || c == '`' || c == '[') {
      size_t end = after_quote(s, i, c == '[' ? ']' : static_cast<char>(c));
      w = {std::string(s.substr(i + 1, end - i - 2)), true};
      i = end;
    } else if (starts_name(c)) {
      size_t start = i;
      while (i < s.size() && in_name(s[i])) ++i;
      w.text = s.substr(start, i - start);
      for (char& ch : w.text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else {
      if (c == '\'') i = after_quote(s, i, '\'') - 1;
      if (c == ',' || c == ';') out.push_back({std::string(1, static_cast<char>(c)), false, false});
      if (!std::isspace(c)) after_dot = c == '.' && !out.empty() && out.back().name;
      ++i;
      continue;
    }
    if (after_dot) out.back().text += "." + w.text;
    else out.push_back(std::move(w));
    after_dot = false;
  }
  return out;
}

bool keyword(const Word& w, std::string_view k) { return w.name && !w.quoted && w.text == k; }

// The table one statement (ws[begin, end)) writes to, or "" when it is no single-table work.
std::string statement_target(const std::vector<Word>& ws, size_t begin, size_t end) {
  auto at = [&](size_t i, std::string_view k) { return i < end && keyword(ws[i], k); };
  auto name_at = [&](size_t i) { return i < end && ws[i].name ? ws[i].text : std::string(); };
  if (at(begin, "insert") && at(begin + 1, "into")) return name_at(begin + 2);
  if (at(begin, "update")) return name_at(begin + 1 + (at(begin + 1, "only") ? 1 : 0));
  if (at(begin, "delete") && at(begin + 1, "from")) return name_at(begin + 2 + (at(begin + 2, "only") ? 1 : 0));
  if (at(begin, "alter") && at(begin + 1, "table")) {
    size_t i = begin + 2;
    while (at(i, "if") || at(i, "exists") || at(i, "only")) ++i;
    return name_at(i);
  }
  if (at(begin, "drop") && at(begin + 1, "table")) {  // one table only: a list is no single target
    size_t i = begin + 2;
    while (at(i, "if") || at(i, "exists")) ++i;
    return i + 1 < end && ws[i + 1].text == "," ? std::string() : name_at(i);
  }
  if (at(begin, "create")) {
    for (size_t i = begin + 1; i < end; ++i)
      if (at(i, "index")) {
        for (size_t k = i + 1; k < end; ++k)
          if (at(k, "on")) return name_at(k + 1 + (at(k + 1, "only") ? 1 : 0));
        return {};
      } else if (!at(i, "unique")) {
        return {};
      }
  }
  return {};
}

}  // namespace

SqlWords read_sql(std::string_view sql) {
  SqlWords out;
  std::vector<Word> ws = words(sql);
  for (const Word& w : ws) {
    if (!w.name) continue;
    out.names.push_back(w.text);
    if (size_t dot = w.text.rfind('.'); dot != std::string::npos) out.names.push_back(w.text.substr(dot + 1));
  }
  for (size_t begin = 0; begin < ws.size();) {
    size_t end = begin;
    while (end < ws.size() && ws[end].text != ";") ++end;
    if (end > begin) out.statement_targets.push_back(statement_target(ws, begin, end));
    begin = end + 1;
  }
  for (size_t i = 0; i + 1 < ws.size(); ++i) {
    if ((keyword(ws[i], "drop") || keyword(ws[i], "create")) && keyword(ws[i + 1], "type")) out.type_statement = true;
    if (!keyword(ws[i], "drop")) continue;
    bool table = keyword(ws[i + 1], "table"), index = keyword(ws[i + 1], "index");
    if (!table && !index) {
      out.drops_other = true;
      continue;
    }
    size_t k = i + 2;
    while (k < ws.size() && (keyword(ws[k], "if") || keyword(ws[k], "exists") || keyword(ws[k], "concurrently")))
      ++k;
    // DROP TABLE a, b names several; DROP INDEX one (PostgreSQL allows a list too).
    for (; k < ws.size() && ws[k].name; k += 2) {
      (table ? out.dropped_tables : out.dropped_indexes).push_back(ws[k].text);
      if (k + 1 >= ws.size() || ws[k + 1].text != ",") break;
    }
  }
  return out;
}

}  // namespace alembic_fix
