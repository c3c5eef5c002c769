// Options only: turns the command line into RunOptions (or MapsOptions) and hands over to the
// command. Nothing else reads the command line or the environment.
#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "compiler/cli/fix.h"
#include "compiler/cli/maps.h"

namespace po = boost::program_options;
using namespace alembic_fix;

namespace {

int usage_error(std::string_view command, const std::string& message) {
  std::cerr << command << ": error: " << message << "\nTry '" << command << " --help'.\n";
  return 2;
}

std::optional<OutputFormat> parse_format(std::string_view name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "json") return OutputFormat::kJson;
  if (name == "github") return OutputFormat::kGithub;
  if (name == "sarif") return OutputFormat::kSarif;
  return std::nullopt;
}

std::string value_or(const po::variables_map& vm, const char* name, std::string fallback) {
  return vm.count(name) ? vm[name].as<std::string>() : fallback;
}

// Parses argv against `visible` (plus `positional` names); nullopt once the error is printed.
std::optional<po::variables_map> parse(int argc, char** argv, const po::options_description& options,
                                       const po::positional_options_description& positional,
                                       std::string_view command) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    usage_error(command, e.what());
    return std::nullopt;
  }
  return vm;
}

// `alembic-fix maps ...`: MapsOptions from its options, or the usage error that stops it.
std::optional<std::string> maps_options_from(const po::variables_map& vm, MapsOptions& options) {
  if (vm.count("history") && vm.count("models")) return "--history and --models are two sources of a map: give one";
  if (vm.count("target") && !vm.count("history")) return "--target goes with --history";
  if (vm.count("history")) options.history = vm["history"].as<std::string>();
  if (vm.count("target")) options.target = vm["target"].as<std::string>();
  if (!vm.count("models") && !options.history) return "no --models TARGET=PATH (or --history PATH) given";
  if (vm.count("models"))
  for (const auto& spec : vm["models"].as<std::vector<std::string>>()) {
    size_t eq = spec.find('=');
    std::string target = spec.substr(0, std::min(eq, spec.size()));
    bool plain_name = !target.empty() && target.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
    if (eq == std::string::npos || eq + 1 == spec.size() || !plain_name)
      return fmt::format("--models takes TARGET=PATH (TARGET of letters, digits, _ and -), not \"{}\"", spec);
    options.models.push_back({target, spec.substr(eq + 1)});
  }
  options.check = vm.count("check") > 0;
  if (vm.count("output")) options.output = vm["output"].as<std::string>();
  if (vm.count("maps")) options.maps_file = vm["maps"].as<std::string>();
  if (options.check && !options.maps_file) return "--check needs --maps FILE, the map to compare with";
  if (options.check && options.output) return "--check writes nothing; drop -o";
  if (!options.check && options.maps_file && !options.history) return "--maps goes with --check (or --history)";
  std::string format = value_or(vm, "format", "text");
  auto parsed = parse_format(format);
  if (!parsed) return fmt::format("--format takes text, json, github or sarif, not \"{}\"", format);
  options.format = *parsed;
  if (options.format != OutputFormat::kText && !options.check && !options.output)
    return fmt::format("--format {} prints on stdout, where the map goes: write the map with -o FILE", format);
  return std::nullopt;
}

// `alembic-fix maps ...`: its own options, kept apart from the fixer's.
int maps_main(int argc, char** argv) {
  po::options_description visible(
      "Usage: alembic-fix maps --models TARGET=PATH... [-o FILE]\n"
      "       alembic-fix maps --check --models TARGET=PATH... --maps FILE [--format FORMAT]\n"
      "       alembic-fix maps [--check --maps FILE] --history PATH [--target NAME] [-o FILE]\n\n"
      "Writes the target map (TOML) from the SQLAlchemy models, or checks a map against them.\n"
      "PATH is a models module or a models/ folder; the project modules it imports are read too.\n"
      "With --history, the map the migrations of PATH's versions folder imply: each table only one\n"
      "target's migrations create (create_table, rename_table's new name) is that target's.\n\n"
      "Exit status: 0 written or in sync, 1 drift found (--check), 2 error.\n\nOptions");
  visible.add_options()
      ("models", po::value<std::vector<std::string>>(), "TARGET=PATH (repeat for each target, or for more paths)")
      ("output,o", po::value<std::string>(), "write the map to FILE instead of stdout")
      ("check", "write nothing; report each drift between the models and --maps FILE")
      ("maps", po::value<std::string>(), "the map --check compares with (with --history: its targets)")
      ("history", po::value<std::string>(), "a versions folder (or a migration in one): the map its history implies")
      ("target", po::value<std::string>(), "with --history: the target of migrations no rule of their own decides")
      ("format", po::value<std::string>(), "diagnostics as text, json, github or sarif")
      ("help,h", "print this help and exit");
  po::positional_options_description none;  // a stray word is an error, not silently ignored
  auto vm = parse(argc, argv, visible, none, "alembic-fix maps");
  if (!vm) return 2;
  if (vm->count("help")) {
    std::cout << visible << "\n";
    return 0;
  }
  MapsOptions options;
  if (auto error = maps_options_from(*vm, options)) return usage_error("alembic-fix maps", *error);
  return run_maps(options);
}

po::options_description fix_options() {
  po::options_description visible(
      "Usage: alembic-fix [OPTIONS] [PATH...]\n"
      "       alembic-fix maps ...  (target maps from the SQLAlchemy models: alembic-fix maps --help)\n\n"
      "Removes drops of the other database's tables from Alembic migrations (and the downgrade\n"
      "statements that re-create them), and annotates each file with MIGRATION_TARGET.\n"
      "PATH is a migration file, a folder (all *.py below it) or - (stdin to stdout). Without PATH,\n"
      "the version locations of the Alembic configuration (alembic.ini, or [tool.alembic] in\n"
      "pyproject.toml, in the working folder or the nearest above it), as Alembic finds them.\n\n"
      "Exit status: 0 nothing left to fix, 1 changes found (--check/--diff), 2 error.\n\nOptions");
  visible.add_options()
      ("target", po::value<std::string>(), "the database the migrations are for (default: $MIGRATION_TARGET)")
      ("maps", po::value<std::string>(), "TOML target map (default: [tool.alembic-fix] in pyproject.toml, else built in)")
      ("config,c", po::value<std::string>(), "without PATH: the alembic.ini (or pyproject.toml) saying where the migrations are (default: $ALEMBIC_CONFIG, else found)")
      ("check", "write nothing; exit 1 if any file would change")
      ("diff", "write nothing; print a unified diff; exit 1 if any file would change")
      ("no-annotate", "do not add MIGRATION_TARGET = \"...\"")
      ("unknown", po::value<std::string>(), "a drop of a table in no map: keep (warn), remove, error")
      ("format", po::value<std::string>(), "diagnostics as text, json, github or sarif")
      ("statistics", "print a count per code instead of each diagnostic")
      ("verbose,v", "say which rule decided each file's target")
      ("no-prefilter", "parse every file, even those a byte scan proves clean")
      ("no-history", "take table ownership from the map alone, not from the migrations' creates")
      ("cache-dir", po::value<std::string>(), "where results of unchanged files are kept (default: $ALEMBIC_FIX_CACHE_DIR, else $XDG_CACHE_HOME/alembic-fix, else ~/.cache/alembic-fix)")
      ("no-cache", "neither read nor write the result cache")
      ("jobs,j", po::value<unsigned>(), "files processed at once (default: number of cores)")
      ("stdin-filename", po::value<std::string>(), "the name used for - in messages")
      ("quiet,q", "print only warnings and errors")
      ("version", "print the version and exit")
      ("help,h", "print this help and exit");
  return visible;
}

// --cache-dir, else as black finds its cache: $ALEMBIC_FIX_CACHE_DIR, else $XDG_CACHE_HOME/alembic-fix,
// else ~/.cache/alembic-fix; nullopt (no cache) when none of them is set.
std::optional<std::string> cache_dir(const po::variables_map& vm) {
  if (vm.count("cache-dir")) return vm["cache-dir"].as<std::string>();
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value && *value) return std::string(value);
    return std::nullopt;
  };
  if (auto dir = env("ALEMBIC_FIX_CACHE_DIR")) return dir;
  if (auto xdg = env("XDG_CACHE_HOME")) return *xdg + "/alembic-fix";
  if (auto home = env("HOME")) return *home + "/.cache/alembic-fix";
  return std::nullopt;
}

// The fixer's RunOptions from its options, or the usage error that stops it.
std::optional<std::string> run_options_from(const po::variables_map& vm, RunOptions& options) {
  if (vm.count("paths")) options.paths = vm["paths"].as<std::vector<std::string>>();
  if (vm.count("config") && !options.paths.empty())
    return "-c/--config says where the migrations are when no PATH is given; give one or the other";
  if (vm.count("config")) options.alembic_config = vm["config"].as<std::string>();
  else if (const char* env = std::getenv("ALEMBIC_CONFIG"); env && *env && options.paths.empty())
    options.alembic_config = env;
  if (vm.count("check") && vm.count("diff")) return "--check and --diff cannot be combined";
  options.mode = vm.count("diff") ? Mode::kDiff : vm.count("check") ? Mode::kCheck : Mode::kWrite;
  if (vm.count("target")) {
    options.target = vm["target"].as<std::string>();
  } else if (const char* env = std::getenv("MIGRATION_TARGET"); env && *env) {
    options.target = env;
    options.target_from_environment = true;
  }
  if (vm.count("maps")) options.maps_file = vm["maps"].as<std::string>();
  if (vm.count("stdin-filename")) options.stdin_filename = vm["stdin-filename"].as<std::string>();
  options.annotate = !vm.count("no-annotate");
  options.quiet = vm.count("quiet") > 0;
  options.verbose = vm.count("verbose") > 0;
  options.statistics = vm.count("statistics") > 0;
  options.prefilter = !vm.count("no-prefilter");
  options.history = !vm.count("no-history");
  if (vm.count("jobs")) options.jobs = vm["jobs"].as<unsigned>();
  if (vm.count("cache-dir") && vm.count("no-cache")) return "--cache-dir and --no-cache cannot be combined";
  if (vm.count("cache-dir") && vm["cache-dir"].as<std::string>().empty())
    return "--cache-dir takes a folder, not an empty name (--no-cache: no cache)";
  if (!vm.count("no-cache")) options.cache_dir = cache_dir(vm);
  std::string unknown = value_or(vm, "unknown", "keep");
  if (unknown == "keep") options.unknown = UnknownPolicy::kKeep;
  else if (unknown == "remove") options.unknown = UnknownPolicy::kRemove;
  else if (unknown == "error") options.unknown = UnknownPolicy::kError;
  else return fmt::format("--unknown takes keep, remove or error, not \"{}\"", unknown);
  std::string format = value_or(vm, "format", "text");
  auto parsed = parse_format(format);
  if (!parsed) return fmt::format("--format takes text, json, github or sarif, not \"{}\"", format);
  options.format = *parsed;
  // A report on stdout shares it with nothing, so it stays one document a program can parse.
  bool stdin_to_stdout =
      options.mode == Mode::kWrite && std::find(options.paths.begin(), options.paths.end(), "-") != options.paths.end();
  if (options.format != OutputFormat::kText && options.mode == Mode::kDiff)
    return fmt::format("--format {} prints its report on stdout, where --diff prints the diff: "
                       "use --check with --format {}, or --diff with the text format",
                       format, format);
  if (options.format != OutputFormat::kText && stdin_to_stdout)
    return fmt::format("--format {} prints its report on stdout, where - writes the fixed file: "
                       "use --check with --format {}, or - with the text format",
                       format, format);
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // glibc raises its mmap threshold each time a large block is freed, so later file buffers and
  // parse stacks come from the threads' heaps and stay there as fragments: a fixed threshold
  // returns them to the system (peak memory of a cold 15,000-file --check: 62 -> 54 MB, the same
  // CPU; bench/results.md).
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
  if (argc > 1 && std::string_view(argv[1]) == "maps") return maps_main(argc - 1, argv + 1);
  po::options_description visible = fix_options();
  po::options_description hidden;
  hidden.add_options()("paths", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("paths", -1);
  auto vm = parse(argc, argv, all, positional, "alembic-fix");
  if (!vm) return 2;
  if (vm->count("help")) {
    std::cout << visible << "\n";
    return 0;
  }
  if (vm->count("version")) {
    std::cout << "alembic-fix " << ALEMBIC_FIX_VERSION << "\n";
    return 0;
  }
  RunOptions options;
  if (auto error = run_options_from(*vm, options)) return usage_error("alembic-fix", *error);
  return run(options);
}
