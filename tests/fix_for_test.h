// Runs the whole single-file pipeline on a string, as the CLI would, for unit tests.
#pragma once

#include <string>

#include "compiler/pipeline.h"

namespace alembic_fix::testing {

inline FileResult fix(std::string text, std::string target = "plant", bool annotate = false,
                      UnknownPolicy unknown = UnknownPolicy::kKeep, const TargetMap* maps = nullptr) {
  static const TargetMap builtin = TargetMap::builtin();
  static thread_local PythonParser parser;
  CompileOptions options;
  options.target = target;
  options.maps = maps ? maps : &builtin;
  options.passes.annotate.enabled = annotate;
  options.passes.drops.unknown = unknown;
  options.want_diff = true;
  return compile_file("m.py", std::move(text), options, parser);
}

// The text after fixing: the output when changed, the input otherwise.
inline std::string fixed(const std::string& text, std::string target = "plant", bool annotate = false) {
  FileResult r = fix(text, target, annotate);
  return r.status == FileStatus::kChanged ? r.output : text;
}

inline bool has_code(const FileResult& r, std::string_view code) {
  for (const auto& d : r.diagnostics)
    if (d.code.id == code) return true;
  return false;
}

}  // namespace alembic_fix::testing
