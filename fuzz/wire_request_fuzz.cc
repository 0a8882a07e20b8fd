// The server's reading of a Converse request from the bytes on the wire:
// any bytes give a request whose texts are UTF-8, or a clear error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "advisor/advisor_service.h"
#include "text/unicode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  grpc::Slice slice(data, size);
  grpc::ByteBuffer bytes(&slice, 1);
  std::string id;
  auto request = dirigo::DecodeConverseRequest(bytes, &id);
  if (request.ok()) {
    for (const std::string* text :
         {&request->session(), &request->text(), &request->request_id()}) {
      if (!dirigo::CheckUtf8(*text).ok()) __builtin_trap();
    }
  }
  if (!dirigo::CheckUtf8(id).ok()) __builtin_trap();
  return 0;
}
