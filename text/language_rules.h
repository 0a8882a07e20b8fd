// The rules of one language that text processing needs: how number words,
// units of time and fractions read, which accented endings people type
// plainly, and the locale for lower-casing. They come from the knowledge base
// (knowledge/<locale>/language.textproto), never from the code.
//
// A plain value: copy it freely. Words may be written with accents and
// capitals; the Normalizer folds them.
//
// Example:
//   LanguageRules it;
//   it.icu_locale = "it";
//   it.number_words = {{"tre", 3}, {"trentatré", 33}};
//   it.time_units = {{"anno", "anni"}, {"anni", "anni"}};
#ifndef DIRIGO_TEXT_LANGUAGE_RULES_H_
#define DIRIGO_TEXT_LANGUAGE_RULES_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace dirigo {

struct LanguageRules {
  // ICU locale for lower-casing ("it"); empty: ICU's root rules.
  std::string icu_locale;
  // Number words and their values ("ventuno" → 21).
  std::map<std::string, int> number_words;
  // Number words that are also ordinary words ("un", "sei"): numbers only
  // just before a unit of time, or when they are the whole text.
  std::set<std::string> numbers_needing_unit;
  // Every form of a unit of time, to its plural ("anno" → "anni").
  std::map<std::string, std::string> time_units;
  // Words after "<number> <unit>" that add to the number ("e mezzo", 0.5).
  std::vector<std::pair<std::string, double>> fractions;
  // Accented endings typed plainly ("e" for "è"), plain letter first.
  std::vector<std::pair<std::string, std::string>> plain_endings;
};

}  // namespace dirigo

#endif  // DIRIGO_TEXT_LANGUAGE_RULES_H_
