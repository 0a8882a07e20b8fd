// The files of the web chat page (clients/gateway/web), built into
// dirigo-gateway by embed_files.cmake so that the page needs no file beside
// the binary.
#ifndef DIRIGO_CLIENTS_GATEWAY_WEB_ASSETS_H_
#define DIRIGO_CLIENTS_GATEWAY_WEB_ASSETS_H_

#include <string_view>
#include <vector>

namespace dirigo {

struct WebAsset {
  // "/index.html", "/dirigo-chat.js": the URL path it is served at.
  const char* path;
  std::string_view body;
};

const std::vector<WebAsset>& EmbeddedWebAssets();

}  // namespace dirigo

#endif  // DIRIGO_CLIENTS_GATEWAY_WEB_ASSETS_H_
