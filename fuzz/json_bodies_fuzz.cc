// The JSON the gateway and the Telegram bridge read: the gateway's request
// bodies (the API's requests, /v1/messages, Rasa's webhook) parsed as the
// gateway parses them, and Telegram updates read as the bridge reads them.
// The input's first byte picks the type.
#include <cstddef>
#include <cstdint>
#include <string>

#include "clients/telegram/telegram_update.h"
#include "dirigo/gateway/v1/gateway.pb.h"
#include "dirigo/v1/advisor.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace {

void Parse(const std::string& json, google::protobuf::Message* m,
           bool ignore_unknown) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = ignore_unknown;
  if (google::protobuf::util::JsonStringToMessage(json, m, options).ok()) {
    std::string back;
    (void)google::protobuf::util::MessageToJsonString(*m, &back);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string json(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 7) {
    case 0: {
      dirigo::v1::CreateSessionRequest m;
      return Parse(json, &m, false), 0;
    }
    case 1: {
      dirigo::v1::ConverseRequest m;
      return Parse(json, &m, false), 0;
    }
    case 2: {
      dirigo::v1::AdviseRequest m;
      return Parse(json, &m, false), 0;
    }
    case 3: {
      dirigo::gateway::v1::PlatformMessage m;
      return Parse(json, &m, false), 0;
    }
    case 4: {
      dirigo::gateway::v1::RasaMessage m;
      return Parse(json, &m, true), 0;
    }
    default: {
      google::protobuf::Value update;
      if (google::protobuf::util::JsonStringToMessage(json, &update).ok()) {
        dirigo::Incoming in = dirigo::ReadUpdate(
            update, data[0] % 7 == 5 ? "@dirigo_bot" : "", "42");
        if (in.for_bot && (in.text.empty() || in.chat.empty())) {
          __builtin_trap();  // words for the bot with nowhere to answer
        }
      }
      return 0;
    }
  }
}
