// dirigo-kb: checks and explores a knowledge base without a server.
//
//   dirigo-kb check [DIR]       validate; print counts and article coverage
//   dirigo-kb normalize [DIR]   print each standard-input line as normalised
//   dirigo-kb chat [DIR]        talk to the engine in-process, one message a
//                               line on standard input; prints replies and
//                               traces
#include <iostream>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dialog/engine.h"
#include "google/protobuf/util/json_util.h"
#include "knowledge/knowledge_base.h"

namespace {

int Usage() {
  std::cerr << "usage: dirigo-kb check|normalize|chat [KNOWLEDGE_DIR]\n"
               "  (default KNOWLEDGE_DIR: knowledge/it)\n";
  return 2;
}

void PrintTurn(const dirigo::v1::BotTurn& turn, bool trace) {
  for (const auto& m : turn.messages()) {
    std::cout << "< " << m.text() << "\n";
    for (const auto& c : m.citations()) {
      std::cout << "    «" << c.quote() << "» (" << c.section_heading()
                << ")\n";
    }
  }
  for (int i = 0; i < turn.quick_replies_size(); ++i) {
    std::cout << "  [" << turn.quick_replies(i).label() << "]";
  }
  if (turn.quick_replies_size() > 0) std::cout << "\n";
  if (trace) {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    (void)google::protobuf::util::MessageToJsonString(turn.trace(), &json,
                                                      options);
    std::cout << "  trace: " << json << "\n";
    json.clear();
    (void)google::protobuf::util::MessageToJsonString(turn.profile(), &json,
                                                      options);
    std::cout << "  profile: " << json << "  awaiting: " << turn.awaiting_slot()
              << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  std::string command = argv[1];
  std::string dir = argc > 2 ? argv[2] : "knowledge/it";
  auto kb = dirigo::KnowledgeBase::LoadDirectory(dir, {});
  if (!kb.ok()) {
    std::cerr << "dirigo-kb: " << kb.status().message() << "\n";
    return 1;
  }
  if (command == "check") {
    // The engine checks what it needs of the knowledge base: its intents and
    // phrases.
    if (auto engine = dirigo::Engine::Create(*kb); !engine.ok()) {
      std::cerr << "dirigo-kb: " << engine.status().message() << "\n";
      return 1;
    }
    const auto& p = (*kb)->proto();
    std::cout << "knowledge base " << p.version() << " (" << p.locale()
              << "): OK\n"
              << "  " << p.article().section_size() << " sections, "
              << (*kb)->ArticleSentences().size() << " sentences, all cited\n"
              << "  " << p.concepts_size() << " concepts, " << p.pattern_size()
              << " patterns, " << p.slot_size() << " slots, " << p.faq_size()
              << " answers, " << p.advice_size() << " advice rules, "
              << p.phrase_size() << " phrases\n"
              << "  spelling vocabulary: " << (*kb)->vocabulary().size()
              << " words\n";
    return 0;
  }
  if (command == "normalize") {
    std::string line;
    while (std::getline(std::cin, line)) {
      auto n = (*kb)->NormalizeMessage(line);
      if (!n.ok()) {
        std::cout << "error: " << n.status().message() << "\n";
        continue;
      }
      std::cout << n->text;
      for (const auto& f : n->fixes)
        std::cout << "  [" << f.original << " → " << f.corrected << "]";
      std::cout << "\n";
    }
    return 0;
  }
  if (command == "chat") {
    auto engine = dirigo::Engine::Create(*kb);
    if (!engine.ok()) {
      std::cerr << "dirigo-kb: " << engine.status().message() << "\n";
      return 1;
    }
    dirigo::session::v1::DialogState state;
    PrintTurn((*engine)->Start(&state), false);
    std::string line;
    while (std::getline(std::cin, line)) {
      std::cout << "> " << line << "\n";
      auto reply = (*engine)->Respond(
          line, &state,
          static_cast<int>(
              absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year()));
      if (!reply.ok()) {
        std::cout << "error: " << reply.status().message() << "\n";
        continue;
      }
      PrintTurn(reply->turn, true);
    }
    return 0;
  }
  return Usage();
}
