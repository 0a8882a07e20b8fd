#include "clients/bridge/server_connection.h"

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "clients/bridge/bridge_util.h"

ABSL_FLAG(bool, server_tls, false, "reach the Dirigo server over TLS");
ABSL_FLAG(std::string, server_ca_file, "",
          "with --server_tls: the PEM certificate of the CA that signed the "
          "server's certificate (default: the system's CAs)");
ABSL_FLAG(std::string, client_cert_file, "",
          "with --server_tls: this client's PEM certificate, for a server "
          "that asks for one (mutual TLS)");
ABSL_FLAG(std::string, client_key_file, "",
          "the PEM private key of --client_cert_file");
ABSL_FLAG(std::string, server_token_file, "",
          "file whose first line is the Dirigo server's API token, when it "
          "asks for one (--auth_tokens_file on the server)");

namespace dirigo {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& flag,
                                    const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read \"", file, "\""));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": \"", file, "\" is not a PEM file"));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<ServerConnection> ConnectToServer(const std::string& address) {
  ServerConnection out;
  if (const std::string f = absl::GetFlag(FLAGS_server_token_file);
      !f.empty()) {
    absl::StatusOr<std::string> token = ReadSecretFile("server_token_file", f);
    if (!token.ok()) return token.status();
    out.token = *token;
  }
  const bool tls = absl::GetFlag(FLAGS_server_tls);
  const std::string ca = absl::GetFlag(FLAGS_server_ca_file);
  const std::string cert = absl::GetFlag(FLAGS_client_cert_file);
  const std::string key = absl::GetFlag(FLAGS_client_key_file);
  if (!tls && (!ca.empty() || !cert.empty() || !key.empty())) {
    return absl::InvalidArgumentError(
        "--server_ca_file, --client_cert_file and --client_key_file need "
        "--server_tls");
  }
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError(
        "--client_cert_file and --client_key_file go together");
  }
  if (!tls) {
    out.channel =
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    return out;
  }
  grpc::SslCredentialsOptions options;
  if (!ca.empty()) {
    absl::StatusOr<std::string> pem = ReadPem("server_ca_file", ca);
    if (!pem.ok()) return pem.status();
    options.pem_root_certs = *pem;
  }
  if (!cert.empty()) {
    absl::StatusOr<std::string> pem = ReadPem("client_cert_file", cert);
    if (!pem.ok()) return pem.status();
    absl::StatusOr<std::string> private_key = ReadPem("client_key_file", key);
    if (!private_key.ok()) return private_key.status();
    options.pem_cert_chain = *pem;
    options.pem_private_key = *private_key;
  }
  out.channel = grpc::CreateChannel(address, grpc::SslCredentials(options));
  return out;
}

}  // namespace dirigo
