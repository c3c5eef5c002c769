#include "compiler/file_target.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace alembic_fix {
namespace {

struct Opinion {
  std::string target;
  TargetRule rule;
  std::string evidence;
  Position at;
};

// The tables upgrade() creates or alters, by the one target that lists each. Drops are the
// suspects and downgrade() only mirrors upgrade(), so neither is evidence; shared and unknown
// tables say nothing either.
std::optional<Opinion> infer_from_upgrade(const Source& src, const Migration& view, const TargetMap& maps,
                                          bool& mixed, std::string& mixed_evidence) {
  std::map<std::string, std::set<std::string>> votes;  // target -> tables
  Position first;
  for (const auto& fn : view.functions) {
    if (fn.role != FunctionRole::kUpgrade || !fn.engine.empty()) continue;
    for (const auto& op : fn.ops) {
      if (op.table_arg != TableArg::kResolved || is_drop(op.method)) continue;
      auto owners = maps.owners(op.table);
      if (owners.size() != 1) continue;
      if (votes.empty()) first = src.position(ts_node_start_byte(op.call));
      votes[std::string(owners.front())].insert(op.table.qualified());
    }
  }
  auto list = [](const std::set<std::string>& tables) {
    return fmt::format("{}", fmt::join(tables, ", "));
  };
  if (votes.size() > 1) {
    mixed = true;
    std::vector<std::string> parts;
    for (const auto& [target, tables] : votes) parts.push_back(fmt::format("{} ({})", list(tables), target));
    mixed_evidence = fmt::format("{}", fmt::join(parts, " and "));
    return std::nullopt;
  }
  if (votes.empty()) return std::nullopt;
  const auto& [target, tables] = *votes.begin();
  return Opinion{target, TargetRule::kInference, fmt::format("upgrade() creates or alters {}", list(tables)), first};
}

std::string describe(const Opinion& o) {
  switch (o.rule) {
    case TargetRule::kAnnotation: return fmt::format("the file is annotated MIGRATION_TARGET = \"{}\"", o.target);
    case TargetRule::kBranchLabels: return fmt::format("its {}", o.evidence);
    case TargetRule::kFolder: return fmt::format("it sits in the folder \"{}\"", o.target);
    case TargetRule::kInference: return fmt::format("its {}, which are {}'s", o.evidence, o.target);
    default: return o.evidence;
  }
}

}  // namespace

std::string_view rule_name(TargetRule rule) {
  switch (rule) {
    case TargetRule::kAnnotation: return "annotation";
    case TargetRule::kOption: return "--target";
    case TargetRule::kEnvironment: return "$MIGRATION_TARGET";
    case TargetRule::kBranchLabels: return "branch_labels";
    case TargetRule::kFolder: return "folder";
    case TargetRule::kInference: return "upgrade tables";
  }
  return "";
}

std::variant<TargetDecision, Diagnostic> decide_target(const Source& src, const Migration& view,
                                                       const TargetMap& maps, const TargetHints& hints) {
  // The file's own opinions, strongest first.
  std::vector<Opinion> file_opinions;
  if (view.annotation) {
    Position at = src.position(ts_node_start_byte(view.annotation->statement));
    const auto& value = view.annotation->value;
    if (!value) return Diagnostic{codes::kTargetConflict, at, "MIGRATION_TARGET is not a string literal"};
    if (!maps.has_target(*value))
      return Diagnostic{codes::kTargetConflict, at,
                        fmt::format("MIGRATION_TARGET names \"{}\", which no map defines (known: {})", *value,
                                    maps.target_names())};
    file_opinions.push_back(
        {*value, TargetRule::kAnnotation, fmt::format("the annotation MIGRATION_TARGET = \"{}\"", *value), at});
  }
  std::vector<std::string> labelled;  // the targets branch_labels names
  for (const auto& label : view.branch_label_list)
    if (maps.has_target(label) && std::find(labelled.begin(), labelled.end(), label) == labelled.end())
      labelled.push_back(label);
  if (labelled.size() > 1) {
    // A file for several targets: cleaned for all of them at once, whatever --target says,
    // provided --target is one of them.
    std::string target = hints.option && std::find(labelled.begin(), labelled.end(), *hints.option) != labelled.end()
                             ? *hints.option
                             : labelled.front();
    if (hints.option && *hints.option != target)
      return Diagnostic{codes::kTargetConflict, {},
                        fmt::format("{} says \"{}\" but branch_labels names {}; left untouched",
                                    hints.option_from_environment ? "MIGRATION_TARGET" : "--target", *hints.option,
                                    fmt::join(labelled, ", "))};
    TargetDecision decision{target, TargetRule::kBranchLabels,
                            fmt::format("branch_labels names {}", fmt::join(labelled, ", ")), {}};
    for (const auto& t : labelled)
      if (t != target) decision.also.push_back(t);
    return decision;
  }
  if (view.branch_labels && maps.has_target(*view.branch_labels))
    file_opinions.push_back({*view.branch_labels, TargetRule::kBranchLabels,
                             fmt::format("branch_labels = \"{}\"", *view.branch_labels), {}});
  if (hints.folder) file_opinions.push_back({*hints.folder, TargetRule::kFolder, fmt::format("the folder {}/", *hints.folder), {}});
  bool mixed = false;
  std::string mixed_evidence;
  if (auto inferred = infer_from_upgrade(src, view, maps, mixed, mixed_evidence)) file_opinions.push_back(*inferred);

  if (hints.option) {
    TargetRule rule = hints.option_from_environment ? TargetRule::kEnvironment : TargetRule::kOption;
    std::string_view given = hints.option_from_environment ? "MIGRATION_TARGET" : "--target";
    for (const auto& o : file_opinions) {
      if (o.target == *hints.option) continue;
      return Diagnostic{codes::kTargetConflict, o.at,
                        fmt::format("{} says \"{}\" but {}; left untouched (fix the one that is wrong)", given,
                                    *hints.option, describe(o))};
    }
    // The annotation outranks the command line; when they agree, say the annotation decided.
    if (!file_opinions.empty() && file_opinions.front().rule == TargetRule::kAnnotation)
      return TargetDecision{*hints.option, TargetRule::kAnnotation, file_opinions.front().evidence};
    return TargetDecision{*hints.option, rule,
                          hints.option_from_environment ? "$MIGRATION_TARGET=" + *hints.option : "--target " + *hints.option};
  }
  if (!file_opinions.empty()) {
    const Opinion& o = file_opinions.front();
    return TargetDecision{o.target, o.rule, o.evidence};
  }
  std::string why = mixed ? fmt::format("its upgrade() alters tables of several targets: {}", mixed_evidence)
                          : std::string("no annotation, branch_labels, target folder or upgrade table decides it");
  return Diagnostic{codes::kNoTarget, {},
                    fmt::format("no target for this migration: {}; pass --target, set MIGRATION_TARGET or "
                                "annotate it (known: {})",
                                why, maps.target_names())};
}

}  // namespace alembic_fix
