#include "dialog/planning.h"

#include <algorithm>

#include "knowledge/profile_fields.h"

namespace dirigo {

std::vector<dirigo::v1::AdviceItem> Planner::Plan(
    const dirigo::v1::Profile& profile, const FactWords& words) const {
  std::vector<const kb::v1::AdviceRule*> rules;
  for (const auto& r : kb_.proto().advice()) {
    if (ConditionHolds(r.when(), profile)) rules.push_back(&r);
  }
  std::stable_sort(rules.begin(), rules.end(),
                   [](const auto* a, const auto* b) {
                     return a->priority() > b->priority();
                   });
  std::vector<dirigo::v1::AdviceItem> items;
  for (const auto* r : rules) {
    dirigo::v1::AdviceItem item;
    item.set_id(r->id());
    item.set_title(wording_.Say(r->title()));
    item.set_text(wording_.Fill(wording_.Say(r->text()), profile, words));
    for (const auto& c : r->citation())
      *item.add_citations() = wording_.Cite(c);
    items.push_back(std::move(item));
  }
  return items;
}

PlanDiff Planner::Compare(
    const google::protobuf::RepeatedPtrField<std::string>& old_ids,
    const std::vector<dirigo::v1::AdviceItem>& plan) {
  PlanDiff diff;
  for (const auto& item : plan) {
    if (std::find(old_ids.begin(), old_ids.end(), item.id()) == old_ids.end()) {
      diff.added.push_back(item.id());
    }
  }
  for (const std::string& id : old_ids) {
    bool kept = std::any_of(plan.begin(), plan.end(),
                            [&](const auto& item) { return item.id() == id; });
    if (!kept) diff.removed.push_back(id);
  }
  return diff;
}

std::vector<dirigo::v1::AdviceItem> Planner::KeepShownOrder(
    const google::protobuf::RepeatedPtrField<std::string>& shown_ids,
    std::vector<dirigo::v1::AdviceItem> plan) {
  auto place = [&](const dirigo::v1::AdviceItem& item) {
    auto it = std::find(shown_ids.begin(), shown_ids.end(), item.id());
    return it == shown_ids.end() ? shown_ids.size()
                                 : size_t(it - shown_ids.begin());
  };
  std::stable_sort(plan.begin(), plan.end(), [&](const auto& a, const auto& b) {
    return place(a) < place(b);
  });
  return plan;
}

}  // namespace dirigo
