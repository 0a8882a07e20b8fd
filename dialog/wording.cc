#include "dialog/wording.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "knowledge/profile_fields.h"

namespace dirigo {

const std::string* FactWords::Find(const std::string& slot) const {
  if (sources_ == nullptr) return nullptr;
  auto it = sources_->find(slot);
  if (it == sources_->end() || it->second.words().empty()) return nullptr;
  return &it->second.words();
}

Wording::Wording(const KnowledgeBase& kb, bool formal)
    : kb_(kb), formal_(formal) {
  for (const CompiledSlot& s : kb.slots()) {
    if (s.companion != nullptr) by_companion_[s.companion->json_name()] = &s;
  }
}

std::string Wording::FactText(const dirigo::v1::Profile& profile,
                              const FactWords& words,
                              const std::string& slot_name) const {
  const CompiledSlot* slot = kb_.FindSlot(slot_name);
  if (slot == nullptr) return "";
  const kb::v1::Slot& def = *slot->def;
  const std::string* w = words.Find(slot_name);
  if (w != nullptr && !def.say_words().empty()) {
    return absl::StrReplaceAll(Say(def.say_words()), {{"{text}", *w}});
  }
  std::vector<std::string> said;
  for (const std::string& v : GetSlotValues(profile, slot->field)) {
    std::string text;
    for (const auto& s : def.say()) {
      if (s.value() == v && ConditionHolds(s.when(), profile)) {
        text = Say(s.text());
        break;
      }
    }
    if (text.empty() && !def.say_number().empty()) {
      text = absl::StrReplaceAll(Say(def.say_number()), {{"{n}", v}});
    }
    if (!text.empty()) said.push_back(text);
  }
  std::string out;
  for (size_t i = 0; i < said.size(); ++i) {
    if (i > 0) out += LastSeparator(said[i]);
    out += said[i];
  }
  return out;
}

const std::string& Wording::LastSeparator(const std::string& next) const {
  const std::string& plain = kb_.language().last_separator();
  const std::string& euphonic = kb_.language().last_separator_euphonic();
  absl::string_view letter = absl::StripAsciiWhitespace(plain);
  if (euphonic.empty() || letter.size() != 1 || next.empty()) return plain;
  return absl::ascii_tolower(next[0]) == letter[0] ? euphonic : plain;
}

std::string Wording::JoinFacts(const std::vector<std::string>& facts) const {
  if (facts.empty()) return "";
  if (facts.size() == 1) return facts[0];
  std::vector<std::string> head(facts.begin(), facts.end() - 1);
  return absl::StrCat(absl::StrJoin(head, kb_.language().list_separator()),
                      LastSeparator(facts.back()), facts.back());
}

std::string Wording::FillOne(const std::string& name,
                             const dirigo::v1::Profile& profile,
                             const FactWords& words) const {
  if (const std::string* w = words.Find(name)) return *w;
  if (auto c = by_companion_.find(name); c != by_companion_.end()) {
    std::vector<std::string> text =
        GetSlotValues(profile, c->second->companion);
    if (!text.empty()) return text[0];
    return FactText(profile, FactWords(), c->second->def->name());
  }
  return FactText(profile, FactWords(), name);
}

std::string Wording::Fill(const std::string& text,
                          const dirigo::v1::Profile& profile,
                          const FactWords& words) const {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    size_t close = text.find('}', i);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += FillOne(text.substr(i + 1, close - i - 1), profile, words);
    i = close;
  }
  return out;
}

dirigo::v1::Citation Wording::Cite(const kb::v1::Citation& c) const {
  dirigo::v1::Citation out;
  out.set_section_id(c.section());
  out.set_section_heading(kb_.SectionHeading(c.section()));
  out.set_quote(c.quote());
  return out;
}

}  // namespace dirigo
