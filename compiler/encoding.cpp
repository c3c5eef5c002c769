#include "compiler/encoding.h"

#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

namespace alembic_fix {
namespace {

// Length of the UTF-8 sequence at s[i], or 0 when it is not well-formed (overlong forms,
// surrogates and code points above U+10FFFF included).
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  auto continuation = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return continuation(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!continuation(i + 1) || !continuation(i + 2)) return 0;
    unsigned char d = byte(i + 1);
    if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!continuation(i + 1) || !continuation(i + 2) || !continuation(i + 3)) return 0;
    unsigned char d = byte(i + 1);
    if ((c == 0xF0 && d < 0x90) || (c == 0xF4 && d >= 0x90)) return 0;
    return 4;
  }
  return 0;
}

// PEP 263: `coding[:=]\s*([-\w.]+)` in a comment on line 1 or 2.
std::optional<std::pair<std::string, size_t>> coding_cookie(std::string_view text) {
  size_t line_begin = 0;
  constexpr int kCookieLines = 2;  // PEP 263: the cookie is on line 1 or 2
  constexpr std::string_view kCoding = "coding";
  for (int line = 0; line < kCookieLines && line_begin <= text.size(); ++line) {
    size_t end = std::min(text.find('\n', line_begin), text.size());
    std::string_view l = text.substr(line_begin, end - line_begin);
    size_t hash = l.find('#');
    bool comment_line = hash != std::string_view::npos &&
                        l.substr(0, hash).find_first_not_of(" \t\f") == std::string_view::npos;
    if (comment_line) {
      size_t at = l.find(kCoding, hash);
      size_t sep = at + kCoding.size();  // `:` or `=`
      if (at != std::string_view::npos && sep < l.size() && (l[sep] == ':' || l[sep] == '=')) {
        size_t v = l.find_first_not_of(" \t", sep + 1);
        size_t v_end = v;
        while (v_end < l.size() && (std::isalnum(static_cast<unsigned char>(l[v_end])) || l[v_end] == '-' ||
                                    l[v_end] == '_' || l[v_end] == '.'))
          ++v_end;
        if (v != std::string_view::npos && v_end > v) return std::pair{std::string(l.substr(v, v_end - v)), line_begin + v};
      }
    } else if (l.find_first_not_of(" \t\f\r") != std::string_view::npos) {
      break;  // a cookie on line 2 counts only after a comment or blank line 1
    }
    line_begin = end + 1;
  }
  return std::nullopt;
}

bool is_utf8_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::replace(name.begin(), name.end(), '_', '-');
  return name == "utf-8" || name == "utf8" || name.starts_with("utf-8-");
}

// ASCII under the names Python's codec registry knows it by: a subset of UTF-8, so such a
// file is read and written like any other as long as it holds no byte above 0x7F.
bool is_ascii_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::replace(name.begin(), name.end(), '_', '-');
  for (std::string_view alias : {"ascii", "us-ascii", "646", "us", "iso646-us", "ansi-x3.4-1968", "ansi-x3-4-1968",
                                 "cp367", "csascii", "ibm367", "iso-ir-6"})
    if (name == alias) return true;
  return false;
}

}  // namespace

std::optional<Diagnostic> encoding_problem(const Source& src) {
  std::string_view text = src.text();
  auto cookie = coding_cookie(text);
  if (cookie && is_ascii_name(cookie->first)) {
    auto high = std::find_if(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) > 0x7F; });
    if (high != text.end())
      return Diagnostic{codes::kEncoding, src.position(static_cast<size_t>(high - text.begin())),
                        fmt::format("byte 0x{:02X} in a file that declares `coding: {}`; Python cannot read it, "
                                    "so it is left untouched",
                                    static_cast<unsigned char>(*high), cookie->first)};
    if (src.has_bom())
      return Diagnostic{codes::kEncoding, {}, "a UTF-8 BOM in a file that declares ASCII; left untouched"};
    return std::nullopt;
  }
  if (cookie && !is_utf8_name(cookie->first))
    return Diagnostic{codes::kEncoding, src.position(cookie->second),
                      fmt::format("the file declares `coding: {}`; alembic-fix rewrites UTF-8 files only, so it is "
                                  "left untouched (convert it to UTF-8, or fix it by hand)",
                                  cookie->first)};
  if (size_t i = first_non_text_byte(text); i != std::string_view::npos) {
    if (text[i] == '\0')
      return Diagnostic{codes::kEncoding, src.position(i),
                        "a NUL byte: this is not Python source text; the file is left untouched"};
    return Diagnostic{codes::kEncoding, src.position(i),
                      fmt::format("byte 0x{:02X} is not UTF-8; alembic-fix rewrites UTF-8 files only, so it "
                                  "is left untouched (save it as UTF-8)",
                                  static_cast<unsigned char>(text[i]))};
  }
  return std::nullopt;
}

size_t first_non_text_byte(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t n = text[i] == '\0' ? 0 : utf8_length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

}  // namespace alembic_fix
