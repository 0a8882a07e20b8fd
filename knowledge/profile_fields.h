// Reads and writes `dirigo.v1.Profile` fields by their JSON names, the names
// the knowledge base and the API use for slots ("educationLevel").
//
// Values are written as text: an enum value without its type prefix
// ("BACHELOR"), "true"/"false", a number, or free text. Repeated enum fields
// (experience) hold a set: setting a value adds it once.
//
// Thread-safe: the functions keep no state.
//
// Example:
//   const auto* f = FindProfileField("educationLevel");
//   SetSlotValue(&profile, f, "MASTER");
//   GetSlotValues(profile, f);  // {"MASTER"}
#ifndef DIRIGO_KNOWLEDGE_PROFILE_FIELDS_H_
#define DIRIGO_KNOWLEDGE_PROFILE_FIELDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "dirigo/kb/v1/knowledge.pb.h"
#include "dirigo/v1/advisor.pb.h"
#include "google/protobuf/descriptor.h"

namespace dirigo {

using FieldDescriptor = google::protobuf::FieldDescriptor;

// The most years of work a profile holds: a working life. Larger numbers are
// not read as years of work, and the API refuses them.
inline constexpr int kMaxYearsExperience = 80;

// The Profile field with this JSON name, or null. A hash look-up.
const FieldDescriptor* FindProfileField(absl::string_view json_name);

// The JSON names of every Profile field, in declaration order.
std::vector<std::string> ProfileFieldNames();

// OK if `value` is a valid value for `field`, else InvalidArgument saying why.
absl::Status CheckSlotValue(const FieldDescriptor* field,
                            absl::string_view value);

// Sets (or, for a repeated field, adds) a value. The value must be valid.
absl::Status SetSlotValue(dirigo::v1::Profile* profile,
                          const FieldDescriptor* field,
                          absl::string_view value);

// Forgets the field.
void ClearSlot(dirigo::v1::Profile* profile, const FieldDescriptor* field);

// Takes a value back: from a repeated field, that value; from another field,
// all of it when it has that value (or when `value` is empty). Returns
// whether anything changed.
bool RemoveSlotValue(dirigo::v1::Profile* profile, const FieldDescriptor* field,
                     absl::string_view value);

// The known values of the field (none when unknown).
std::vector<std::string> GetSlotValues(const dirigo::v1::Profile& profile,
                                       const FieldDescriptor* field);

// Whether the field is known.
bool IsSlotKnown(const dirigo::v1::Profile& profile,
                 const FieldDescriptor* field);

// Whether the profile meets the condition. Conditions must be valid.
bool ConditionHolds(const dirigo::kb::v1::Condition& condition,
                    const dirigo::v1::Profile& profile);

// OK if every clause names a field and valid values.
absl::Status CheckCondition(const dirigo::kb::v1::Condition& condition);

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_PROFILE_FIELDS_H_
