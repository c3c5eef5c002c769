// Options only: turns the command line into RunOptions and hands over to the driver.
#include <cstdlib>
#include <iostream>
#include <string_view>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "compiler/cli/fix.h"
#include "compiler/cli/maps.h"

namespace po = boost::program_options;
using namespace alembic_fix;

// `alembic-fix maps ...`: its own options, kept apart from the fixer's.
int maps_main(int argc, char** argv) {
  po::options_description visible(
      "Usage: alembic-fix maps --models TARGET=PATH... [-o FILE]\n"
      "       alembic-fix maps --check --models TARGET=PATH... --maps FILE\n\n"
      "Writes the target map (TOML) from the SQLAlchemy models, or checks a map against them.\n"
      "PATH is a models module or a models/ folder; the project modules it imports are read too.\n\n"
      "Exit status: 0 written or in sync, 1 drift found (--check), 2 error.\n\nOptions");
  visible.add_options()
      ("models", po::value<std::vector<std::string>>(), "TARGET=PATH (repeat for each target, or for more paths)")
      ("output,o", po::value<std::string>(), "write the map to FILE instead of stdout")
      ("check", "write nothing; report each drift between the models and --maps FILE")
      ("maps", po::value<std::string>(), "the map --check compares with")
      ("help,h", "print this help and exit");
  po::variables_map vm;
  auto usage_error = [](const std::string& message) {
    std::cerr << "alembic-fix maps: error: " << message << "\nTry 'alembic-fix maps --help'.\n";
    return 2;
  };
  try {
    po::positional_options_description none;  // a stray word is an error, not silently ignored
    po::store(po::command_line_parser(argc, argv).options(visible).positional(none).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << visible << "\n";
    return 0;
  }
  MapsOptions options;
  if (!vm.count("models")) return usage_error("no --models TARGET=PATH given");
  for (const auto& spec : vm["models"].as<std::vector<std::string>>()) {
    size_t eq = spec.find('=');
    std::string target = spec.substr(0, std::min(eq, spec.size()));
    bool plain_name = !target.empty() && target.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
    if (eq == std::string::npos || eq + 1 == spec.size() || !plain_name)
      return usage_error(fmt::format("--models takes TARGET=PATH (TARGET of letters, digits, _ and -), not \"{}\"", spec));
    options.models.push_back({target, spec.substr(eq + 1)});
  }
  options.check = vm.count("check") > 0;
  if (vm.count("output")) options.output = vm["output"].as<std::string>();
  if (vm.count("maps")) options.maps_file = vm["maps"].as<std::string>();
  if (options.check && !options.maps_file) return usage_error("--check needs --maps FILE, the map to compare with");
  if (options.check && options.output) return usage_error("--check writes nothing; drop -o");
  if (!options.check && options.maps_file) return usage_error("--maps goes with --check");
  return run_maps(options);
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "maps") return maps_main(argc - 1, argv + 1);
  po::options_description visible(
      "Usage: alembic-fix [OPTIONS] PATH...\n"
      "       alembic-fix maps ...  (target maps from the SQLAlchemy models: alembic-fix maps --help)\n\n"
      "Removes drops of the other database's tables from Alembic migrations (and the downgrade\n"
      "statements that re-create them), and annotates each file with MIGRATION_TARGET.\n"
      "PATH is a migration file, a folder (all *.py below it) or - (stdin to stdout).\n\n"
      "Exit status: 0 nothing left to fix, 1 changes found (--check/--diff), 2 error.\n\nOptions");
  std::string unknown = "keep", format = "text";
  unsigned jobs = 0;
  visible.add_options()
      ("target", po::value<std::string>(), "the database the migrations are for (default: $MIGRATION_TARGET)")
      ("maps", po::value<std::string>(), "TOML target map (default: [tool.alembic-fix] in pyproject.toml, else built in)")
      ("check", "write nothing; exit 1 if any file would change")
      ("diff", "write nothing; print a unified diff; exit 1 if any file would change")
      ("no-annotate", "do not add MIGRATION_TARGET = \"...\"")
      ("unknown", po::value<std::string>(&unknown), "a drop of a table in no map: keep (warn), remove, error")
      ("format", po::value<std::string>(&format), "diagnostics as text, json, github or sarif")
      ("statistics", "print a count per code instead of each diagnostic")
      ("verbose,v", "say which rule decided each file's target")
      ("no-prefilter", "parse every file, even those a byte scan proves clean")
      ("jobs,j", po::value<unsigned>(&jobs), "files processed at once (default: number of cores)")
      ("stdin-filename", po::value<std::string>(), "the name used for - in messages")
      ("quiet,q", "print only warnings and errors")
      ("version", "print the version and exit")
      ("help,h", "print this help and exit");
  po::options_description hidden;
  hidden.add_options()("paths", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("paths", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "alembic-fix: error: " << e.what() << "\nTry 'alembic-fix --help'.\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << visible << "\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "alembic-fix " << ALEMBIC_FIX_VERSION << "\n";
    return 0;
  }
  auto usage_error = [](const std::string& message) {
    std::cerr << "alembic-fix: error: " << message << "\nTry 'alembic-fix --help'.\n";
    return 2;
  };

  RunOptions options;
  if (vm.count("paths")) options.paths = vm["paths"].as<std::vector<std::string>>();
  if (options.paths.empty()) return usage_error("no PATH given (a file, a folder, or - for stdin)");
  if (vm.count("check") && vm.count("diff")) return usage_error("--check and --diff cannot be combined");
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
  options.jobs = jobs;
  if (unknown == "keep") options.unknown = UnknownPolicy::kKeep;
  else if (unknown == "remove") options.unknown = UnknownPolicy::kRemove;
  else if (unknown == "error") options.unknown = UnknownPolicy::kError;
  else return usage_error(fmt::format("--unknown takes keep, remove or error, not \"{}\"", unknown));
  if (format == "text") options.format = OutputFormat::kText;
  else if (format == "json") options.format = OutputFormat::kJson;
  else if (format == "github") options.format = OutputFormat::kGithub;
  else if (format == "sarif") options.format = OutputFormat::kSarif;
  else return usage_error(fmt::format("--format takes text, json, github or sarif, not \"{}\"", format));
  return run(options);
}
