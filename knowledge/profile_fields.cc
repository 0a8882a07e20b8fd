#include "knowledge/profile_fields.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"

namespace dirigo {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::Reflection;

// "EDUCATION_LEVEL_" for EducationLevel: the zero value's name less
// "UNSPECIFIED".
std::string EnumPrefix(const EnumDescriptor* e) {
  std::string zero = e->value(0)->name();
  return zero.substr(0, zero.size() - std::string("UNSPECIFIED").size());
}

const EnumValueDescriptor* FindEnumValue(const EnumDescriptor* e,
                                         absl::string_view value) {
  if (value.empty() || value == "UNSPECIFIED") return nullptr;
  return e->FindValueByName(absl::StrCat(EnumPrefix(e), value));
}

std::string ShortName(const EnumValueDescriptor* v) {
  return v->name().substr(EnumPrefix(v->type()).size());
}

std::vector<std::string> EnumNames(const EnumDescriptor* e) {
  std::vector<std::string> names;
  for (int i = 1; i < e->value_count(); ++i)
    names.push_back(ShortName(e->value(i)));
  return names;
}

}  // namespace

const FieldDescriptor* FindProfileField(absl::string_view json_name) {
  static const auto* by_name = [] {
    // Never freed: lives as long as the program.
    // NOLINTNEXTLINE(cppcoreguidelines-owning-memory)
    auto* m = new absl::flat_hash_map<std::string, const FieldDescriptor*>;
    const auto* d = dirigo::v1::Profile::descriptor();
    for (int i = 0; i < d->field_count(); ++i) {
      (*m)[d->field(i)->json_name()] = d->field(i);
    }
    return m;
  }();
  auto it = by_name->find(json_name);
  return it == by_name->end() ? nullptr : it->second;
}

std::vector<std::string> ProfileFieldNames() {
  std::vector<std::string> names;
  const auto* d = dirigo::v1::Profile::descriptor();
  names.reserve(d->field_count());
  for (int i = 0; i < d->field_count(); ++i)
    names.push_back(d->field(i)->json_name());
  return names;
}

absl::Status CheckSlotValue(const FieldDescriptor* field,
                            absl::string_view value) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM:
      if (FindEnumValue(field->enum_type(), value) == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", value, "' is not a value of ", field->json_name(), " (one of ",
            absl::StrJoin(EnumNames(field->enum_type()), ", "), ")"));
      }
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value != "true" && value != "false") {
        return absl::InvalidArgumentError(absl::StrCat(
            field->json_name(), " takes true or false, not '", value, "'"));
      }
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int v;
      if (!absl::SimpleAtoi(value, &v) || v < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            field->json_name(), " takes a whole number, not '", value, "'"));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING:
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          field->json_name(), " cannot be set by the knowledge base"));
  }
}

absl::Status SetSlotValue(dirigo::v1::Profile* profile,
                          const FieldDescriptor* field,
                          absl::string_view value) {
  RETURN_IF_ERROR(CheckSlotValue(field, value));
  const Reflection* r = profile->GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* v = FindEnumValue(field->enum_type(), value);
      if (field->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*profile, field); ++i) {
          if (r->GetRepeatedEnum(*profile, field, i) == v)
            return absl::OkStatus();
        }
        r->AddEnum(profile, field, v);
      } else {
        r->SetEnum(profile, field, v);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      r->SetBool(profile, field, value == "true");
      break;
    case FieldDescriptor::CPPTYPE_INT32: {
      int v = 0;
      (void)absl::SimpleAtoi(value, &v);
      r->SetInt32(profile, field, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(profile, field, std::string(value));
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

void ClearSlot(dirigo::v1::Profile* profile, const FieldDescriptor* field) {
  profile->GetReflection()->ClearField(profile, field);
}

bool RemoveSlotValue(dirigo::v1::Profile* profile, const FieldDescriptor* field,
                     absl::string_view value) {
  std::vector<std::string> values = GetSlotValues(*profile, field);
  auto it = std::find(values.begin(), values.end(), value);
  if (!field->is_repeated()) {
    if (values.empty() || (!value.empty() && it == values.end())) return false;
    ClearSlot(profile, field);
    return true;
  }
  if (it == values.end()) return false;
  values.erase(it);
  ClearSlot(profile, field);
  for (const std::string& v : values) (void)SetSlotValue(profile, field, v);
  return true;
}

std::vector<std::string> GetSlotValues(const dirigo::v1::Profile& profile,
                                       const FieldDescriptor* field) {
  const Reflection* r = profile.GetReflection();
  std::vector<std::string> out;
  if (field->is_repeated()) {
    for (int i = 0; i < r->FieldSize(profile, field); ++i) {
      out.push_back(ShortName(r->GetRepeatedEnum(profile, field, i)));
    }
    return out;
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* v = r->GetEnum(profile, field);
      if (v->number() != 0) out.push_back(ShortName(v));
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (r->HasField(profile, field))
        out.push_back(r->GetBool(profile, field) ? "true" : "false");
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      if (r->HasField(profile, field))
        out.push_back(absl::StrCat(r->GetInt32(profile, field)));
      break;
    case FieldDescriptor::CPPTYPE_STRING:
      if (!r->GetString(profile, field).empty())
        out.push_back(r->GetString(profile, field));
      break;
    default:
      break;
  }
  return out;
}

bool IsSlotKnown(const dirigo::v1::Profile& profile,
                 const FieldDescriptor* field) {
  return !GetSlotValues(profile, field).empty();
}

namespace {

bool ClauseHolds(const dirigo::kb::v1::Clause& clause,
                 const dirigo::v1::Profile& profile) {
  {
    const FieldDescriptor* field = FindProfileField(clause.slot());
    if (field == nullptr) return false;
    std::vector<std::string> values = GetSlotValues(profile, field);
    auto has = [&](const std::string& v) {
      return std::find(values.begin(), values.end(), v) != values.end();
    };
    if (clause.unknown() && !values.empty()) return false;
    if (clause.known() && values.empty()) return false;
    if (clause.any_of_size() > 0 &&
        std::none_of(clause.any_of().begin(), clause.any_of().end(), has)) {
      return false;
    }
    if (std::any_of(clause.none_of().begin(), clause.none_of().end(), has)) {
      return false;
    }
    if (clause.has_at_least() || clause.has_at_most()) {
      int v;
      if (values.empty() || !absl::SimpleAtoi(values[0], &v)) return false;
      if (clause.has_at_least() && v < clause.at_least()) return false;
      if (clause.has_at_most() && v > clause.at_most()) return false;
    }
  }
  return true;
}

}  // namespace

bool ConditionHolds(const dirigo::kb::v1::Condition& condition,
                    const dirigo::v1::Profile& profile) {
  for (const auto& clause : condition.all()) {
    if (!ClauseHolds(clause, profile)) return false;
  }
  return condition.any().empty() ||
         std::any_of(condition.any().begin(), condition.any().end(),
                     [&](const auto& c) { return ClauseHolds(c, profile); });
}

absl::Status CheckCondition(const dirigo::kb::v1::Condition& condition) {
  std::vector<dirigo::kb::v1::Clause> clauses(condition.all().begin(),
                                              condition.all().end());
  clauses.insert(clauses.end(), condition.any().begin(), condition.any().end());
  for (const auto& clause : clauses) {
    const FieldDescriptor* field = FindProfileField(clause.slot());
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "condition names no profile field '", clause.slot(), "'"));
    }
    for (const auto& v : clause.any_of()) {
      RETURN_IF_ERROR(CheckSlotValue(field, v));
    }
    for (const auto& v : clause.none_of()) {
      RETURN_IF_ERROR(CheckSlotValue(field, v));
    }
    if ((clause.has_at_least() || clause.has_at_most()) &&
        field->cpp_type() != FieldDescriptor::CPPTYPE_INT32) {
      return absl::InvalidArgumentError(absl::StrCat(
          "at_least/at_most need a number field, not ", clause.slot()));
    }
  }
  return absl::OkStatus();
}

}  // namespace dirigo
