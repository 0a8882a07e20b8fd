// How every client reaches dirigo-server: plain, or over TLS (mutual TLS
// with a client certificate), with the server's API token when it asks for
// one. The flags are shared by every client that links this library:
//
//   --server_tls                 TLS to the server
//   --server_ca_file=CA.pem      the CA that signed the server's certificate
//                                (default: the system's)
//   --client_cert_file=CERT.pem  this client's certificate, for servers that
//   --client_key_file=KEY.pem    ask for one (--tls_client_ca)
//   --server_token_file=FILE     the API token (--auth_tokens_file)
//
// Example:
//   ASSIGN_OR_RETURN(ServerConnection server, ConnectToServer(address));
//   auto stub = dirigo::v1::Advisor::NewStub(server.channel);
//   context.AddMetadata("authorization", "Bearer " + server.token);
#ifndef DIRIGO_CLIENTS_BRIDGE_SERVER_CONNECTION_H_
#define DIRIGO_CLIENTS_BRIDGE_SERVER_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace dirigo {

struct ServerConnection {
  std::shared_ptr<grpc::Channel> channel;
  // The API token to send ("" when none is set).
  std::string token;
};

// A channel to the server at `address` ("HOST:PORT"), as the flags say;
// InvalidArgument naming the flag when a file cannot be read.
absl::StatusOr<ServerConnection> ConnectToServer(const std::string& address);

}  // namespace dirigo

#endif  // DIRIGO_CLIENTS_BRIDGE_SERVER_CONNECTION_H_
