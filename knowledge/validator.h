// Checks a knowledge base's data before it is compiled: every id is unique,
// every reference resolves (sections, concepts' users, FAQ intents, Profile
// fields and their values), every quote is found verbatim in its section of
// the article, and every sentence of the article is quoted at least once.
//
// What needs compiling (regexes, their examples, rewrites) is checked by the
// compiler; what the engine needs (its intents and phrases) by the engine.
//
// Thread-safe: the function keeps no state.
//
// Example:
//   Problems problems(source.where);
//   ValidateKnowledge(source.proto, &problems);
//   RETURN_IF_ERROR(problems.ToStatus());
#ifndef DIRIGO_KNOWLEDGE_VALIDATOR_H_
#define DIRIGO_KNOWLEDGE_VALIDATOR_H_

#include "dirigo/kb/v1/knowledge.pb.h"
#include "knowledge/problems.h"

namespace dirigo {

// Adds every problem of `kb` to `problems`.
void ValidateKnowledge(const dirigo::kb::v1::KnowledgeBase& kb,
                       Problems* problems);

}  // namespace dirigo

#endif  // DIRIGO_KNOWLEDGE_VALIDATOR_H_
