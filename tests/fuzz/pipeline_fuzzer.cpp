// libFuzzer over the whole single-file pipeline (bytes in, bytes out), checking what
// alembic-fix promises rather than only that it does not crash. Any broken promise aborts:
//   - an input that parses gives an output that parses (never AF204 internal-error);
//   - a second run over the output changes nothing;
//   - the output is the input with whole lines removed, and only `pass` lines and the
//     MIGRATION_TARGET annotation inserted;
//   - the byte prefilter never changes a result (bar syntax errors in files it accepts).
// Built by the `asan` preset (clang-14, ASan + UBSan); tests/fuzz/run_fuzzer.sh runs it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/pipeline.h"
#include "compiler/source.h"

using namespace alembic_fix;

namespace {

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "alembic-fix promise broken: %s\n", promise);
  std::abort();
}

// Lines as Python reads them: ended by "\r\n", "\n" or a lone "\r" (old Mac files are accepted).
std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    else end += text.compare(end, 2, "\r\n") == 0 ? 2 : 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

std::string_view without_terminator(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

bool inserted_line(std::string_view line, std::string_view target) {
  line = without_terminator(line);
  if (line == "MIGRATION_TARGET = \"" + std::string(target) + "\"") return true;
  size_t indent = line.find_first_not_of(" \t");
  return indent != std::string_view::npos && line.substr(indent) == "pass";
}

// Every output line is an inserted `pass`/annotation line, or the next of the input's lines
// that equals it (the input lines skipped on the way were removed). Deleting a line is always
// allowed, so reading an allowed line as an insertion never hides a real change.
bool only_removed_lines_and_insertions(std::string_view in, std::string_view out, std::string_view target) {
  auto a = lines(in), b = lines(out);
  size_t j = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (inserted_line(b[i], target)) continue;
    bool last = i + 1 == b.size();
    while (j < a.size() && a[j] != b[i] &&
           !((last || j + 1 == a.size()) && without_terminator(a[j]) == without_terminator(b[i])))
      ++j;
    if (j == a.size()) return false;
    ++j;
  }
  return true;
}

bool same(const FileResult& x, const FileResult& y) {
  if (x.status != y.status || x.output != y.output || x.diagnostics.size() != y.diagnostics.size()) return false;
  for (size_t i = 0; i < x.diagnostics.size(); ++i) {
    const auto &p = x.diagnostics[i], &q = y.diagnostics[i];
    if (p.code.id != q.code.id || p.position.line != q.position.line || p.position.column != q.position.column)
      return false;
  }
  return true;
}

bool has(const FileResult& r, std::string_view code) {
  for (const auto& d : r.diagnostics)
    if (d.code.id == code) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const TargetMap builtin = TargetMap::builtin();
  // Globs, a schema pattern and a shared table, which the built-in map does not exercise.
  static const TargetMap patterns = TargetMap::parse(R"(
[targets.plant]
tables = ["assets", "tickets", "st*", "dead_letter"]
[targets.hq]
tables = ["hq_*", "reporting.*", "dead_letter"]
)", "fuzz-map");
  static PythonParser parser;
  std::string input(reinterpret_cast<const char*>(data), size);
  // The first byte picks the target, whether to annotate and the map.
  std::string target = size && (data[0] & 1) ? "hq" : "plant";
  CompileOptions options;
  options.maps = size && (data[0] & 4) ? &patterns : &builtin;
  options.target = target;
  options.passes.annotate.enabled = !(size && (data[0] & 2));
  options.prefilter = false;

  FileResult full = compile_file("fuzz.py", input, options, parser);
  if (has(full, "AF204")) broken("an input that parses gives an output that parses (AF204)");

  options.prefilter = true;
  FileResult filtered = compile_file("fuzz.py", input, options, parser);
  bool accepted_syntax_error = filtered.prefiltered && has(full, "AF201");
  if (!same(full, filtered) && !accepted_syntax_error) broken("the prefilter changes no result");

  if (full.status != FileStatus::kChanged) return 0;
  Source fixed{full.output};  // without its BOM, lone CRs read as Python reads them
  if (parser.parse(fixed.parse_text()).first_error()) broken("the output parses");
  if (!only_removed_lines_and_insertions(input, full.output, target))
    broken("the output is the input less whole lines, plus pass lines and the annotation");
  options.prefilter = false;
  FileResult second = compile_file("fuzz.py", full.output, options, parser);
  if (second.status == FileStatus::kChanged) broken("a second run changes nothing");
  return 0;
}
