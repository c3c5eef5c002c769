// parse_only: the benchmark's floor. Reads every *.py below the folders given and parses it with
// tree-sitter-python, on N threads, and does nothing else: whatever alembic-fix spends beyond this
// is its own work (the Alembic view, passes, output), not the parser's.
//
//   parse_only [-j N] FOLDER...
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <tree_sitter/api.h>

extern "C" const TSLanguage* tree_sitter_python(void);

namespace fs = std::filesystem;

namespace {

struct ParserDeleter {
  void operator()(TSParser* parser) const { ts_parser_delete(parser); }
};
struct TreeDeleter {
  void operator()(TSTree* tree) const { ts_tree_delete(tree); }
};

std::vector<fs::path> python_files(const std::vector<std::string>& roots) {
  std::vector<fs::path> files;
  for (const auto& root : roots)
    for (const auto& entry : fs::recursive_directory_iterator(root))
      if (entry.is_regular_file() && entry.path().extension() == ".py") files.push_back(entry.path());
  return files;
}

struct Totals {
  std::atomic<size_t> bytes{0};
  std::atomic<size_t> with_errors{0};
};

// One parser per thread, reused across files, as alembic-fix does.
void parse_files(const std::vector<fs::path>& files, std::atomic<size_t>& next, Totals& totals) {
  std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  ts_parser_set_language(parser.get(), tree_sitter_python());
  for (size_t i = next++; i < files.size(); i = next++) {
    std::ifstream in(files[i], std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::unique_ptr<TSTree, TreeDeleter> tree(
        ts_parser_parse_string(parser.get(), nullptr, text.data(), static_cast<uint32_t>(text.size())));
    totals.bytes += text.size();
    if (ts_node_has_error(ts_tree_root_node(tree.get()))) ++totals.with_errors;
  }
}

}  // namespace

int main(int argc, char** argv) {
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> roots;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "-j" || arg == "--jobs") && i + 1 < argc) jobs = std::max(1, std::atoi(argv[++i]));
    else roots.emplace_back(arg);
  }
  if (roots.empty()) {
    std::fprintf(stderr, "usage: parse_only [-j N] FOLDER...\n");
    return 2;
  }
  std::vector<fs::path> files;
  try {
    files = python_files(roots);
  } catch (const fs::filesystem_error& e) {
    std::fprintf(stderr, "parse_only: %s\n", e.what());
    return 2;
  }
  std::atomic<size_t> next{0};
  Totals totals;
  {
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(parse_files, std::cref(files), std::ref(next), std::ref(totals));
  }
  std::printf("parse_only: %zu files, %zu bytes, %zu with syntax errors\n", files.size(), totals.bytes.load(),
              totals.with_errors.load());
  return totals.with_errors ? 1 : 0;
}
