// Planning: a profile → the tailored plan, ranked and cited; and what changed
// between two plans.
//
// Every advice rule whose condition holds for the profile gives one step;
// steps are ordered by the rules' priority (higher first, ties in the order
// of the knowledge base), their texts filled with the person's words, each
// with the passages of the article it comes from.
//
// Thread-safe: immutable.
//
// Example:
//   Planner planner(kb, wording);
//   std::vector<dirigo::v1::AdviceItem> plan = planner.Plan(profile);
//   PlanDiff diff = Planner::Compare(state.last_advice(), plan);
#ifndef DIRIGO_DIALOG_PLANNING_H_
#define DIRIGO_DIALOG_PLANNING_H_

#include <string>
#include <vector>

#include "dialog/wording.h"
#include "dirigo/v1/advisor.pb.h"
#include "google/protobuf/repeated_field.h"
#include "knowledge/knowledge_base.h"

namespace dirigo {

// What changed from one plan to the next.
struct PlanDiff {
  // Steps of the new plan that the old one did not have, in plan order.
  std::vector<std::string> added;
  // Steps of the old plan that the new one drops, in old order.
  std::vector<std::string> removed;

  bool unchanged() const { return added.empty() && removed.empty(); }
};

class Planner {
 public:
  // `kb` and `wording` must outlive this object.
  Planner(const KnowledgeBase& kb, const Wording& wording)
      : kb_(kb), wording_(wording) {}

  // The plan for `profile`, most important first; `words` are the person's
  // own words for the facts, if known.
  std::vector<dirigo::v1::AdviceItem> Plan(
      const dirigo::v1::Profile& profile,
      const FactWords& words = FactWords()) const;

  // How it words the plan.
  const Wording& wording() const { return wording_; }

  // The steps added and removed from the plan `old_ids` to `plan`.
  static PlanDiff Compare(
      const google::protobuf::RepeatedPtrField<std::string>& old_ids,
      const std::vector<dirigo::v1::AdviceItem>& plan);

  // `plan` in the order the person has seen (`shown_ids`), its new steps
  // after those, so that a number once shown keeps naming the same step.
  static std::vector<dirigo::v1::AdviceItem> KeepShownOrder(
      const google::protobuf::RepeatedPtrField<std::string>& shown_ids,
      std::vector<dirigo::v1::AdviceItem> plan);

 private:
  const KnowledgeBase& kb_;
  const Wording& wording_;
};

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_PLANNING_H_
