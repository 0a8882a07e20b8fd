// dirigo-gateway: Dirigo over HTTP/JSON, a gRPC client of dirigo-server.
//
//   dirigo-gateway [--listen=127.0.0.1:8080] [--server=127.0.0.1:50051]
//                  [--auth_tokens_file=FILE] [--max_body_bytes=16384]
//                  [--tls_cert=CERT.pem --tls_key=KEY.pem]
//                  [--allowed_origins=https://intranet.example.com,…]
//
// Routes (bodies and answers in protobuf's JSON mapping, google.api.http
// style):
//   POST   /v1/sessions                  CreateSession
//   POST   /v1/sessions/{id}:converse    Converse (body: text, requestId)
//   GET    /v1/sessions/{id}             GetSession
//   DELETE /v1/sessions/{id}             DeleteSession
//   POST   /v1:advise                    Advise
//   POST   /v1/messages                  a platform's message: {user, text,
//                                        message_id} → the turn, and its
//                                        plain texts
//   POST   /webhooks/rest/webhook        Rasa's REST channel
//   GET    /v1/texts?locale=it           GetClientTexts
//   GET    /healthz, GET /metrics        open, for probes and Prometheus
// and, unless --web_chat=false, the web chat page, open to anyone:
//   GET    /, /dirigo-chat.js, …         the page and its files
//   /chat/v1/…                           the routes above for sessions and
//                                        texts, on the "web" channel only
// Errors: {"error":{"code":N,"status":"NAME","reason":"…","message":"…"}}
// with the gRPC code and the matching HTTP status. With --auth_tokens_file
// every other route needs `Authorization: Bearer TOKEN`, and the token's
// name is the channel: a bridge reaches only its own people's sessions.
#include <signal.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/bearer_tokens.h"
#include "base/flags_usage.h"
#include "base/stop_signals.h"
#include "clients/bridge/bridge_util.h"
#include "clients/bridge/conversations.h"
#include "clients/bridge/server_connection.h"
#include "clients/gateway/web_assets.h"
#include "clients/render/render.h"
#include "dirigo/gateway/v1/gateway.pb.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "HOST:PORT to listen on; port 0 picks a free port (see --port_file)");
ABSL_FLAG(std::string, port_file, "",
          "when set, the port bound is written here once the gateway listens");
ABSL_FLAG(std::string, server, "127.0.0.1:50051", "the Dirigo server");
ABSL_FLAG(std::string, auth_tokens_file, "",
          "bearer tokens, one per line: NAME SHA256-OF-TOKEN-IN-HEX; the name "
          "is the bridge's channel. Without it, no token is asked for");
ABSL_FLAG(int, max_body_bytes, 16 * 1024, "largest request body accepted");
ABSL_FLAG(int, timeout_ms, 10000, "deadline of each call to the server");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate (chain): serve HTTPS, for deployments without a "
          "proxy in front; needs --tls_key");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::vector<std::string>, allowed_origins, {},
          "web origins whose pages may call the gateway from a browser "
          "(CORS), comma-separated, e.g. https://intranet.example.com; "
          "default none");

ABSL_FLAG(bool, web_chat, true,
          "serve the web chat page at / and its open routes under /chat/ "
          "(sessions of the \"web\" channel only)");
ABSL_FLAG(std::string, web_dir, "",
          "serve the web chat page's files from this folder instead of the "
          "copy built in (to work on the page without rebuilding)");
ABSL_FLAG(int, live_window_seconds, 30 * 60,
          "a session is counted as live by /metrics while it had a turn "
          "through this gateway within this many seconds");

namespace dirigo {
namespace {

namespace v1 = dirigo::v1;

// The channel of the sessions begun by the web chat page.
constexpr char kWebChannel[] = "web";
using google::protobuf::Message;

// Prometheus text format: requests by route and status, turn latency.
class Metrics {
 public:
  void Count(const std::string& route, int status) {
    absl::MutexLock lock(&mu_);
    ++requests_[absl::StrCat("route=\"", route, "\",code=\"", status, "\"")];
  }
  // A turn of `session` just went through.
  void Live(const std::string& session) {
    absl::MutexLock lock(&mu_);
    // Pruned a minute at a time, not only when scraped; bounded: beyond,
    // the count starts afresh.
    if (absl::Now() - last_prune_ > absl::Minutes(1)) {
      Prune(absl::Seconds(absl::GetFlag(FLAGS_live_window_seconds)));
      last_prune_ = absl::Now();
    }
    if (last_turn_.size() >= kMaxLive) last_turn_.clear();
    last_turn_[session] = absl::Now();
  }
  void Gone(const std::string& session) {
    absl::MutexLock lock(&mu_);
    last_turn_.erase(session);
  }
  void Turn(double seconds) {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      if (seconds <= kBuckets[i]) ++turn_buckets_[i];
    }
    ++turns_;
    turn_seconds_ += seconds;
  }
  std::string Render() const {
    absl::MutexLock lock(&mu_);
    std::string out =
        "# HELP dirigo_gateway_requests_total HTTP requests by route and "
        "status.\n# TYPE dirigo_gateway_requests_total counter\n";
    for (const auto& [labels, n] : requests_) {
      absl::StrAppend(&out, "dirigo_gateway_requests_total{", labels, "} ", n,
                      "\n");
    }
    absl::StrAppend(&out,
                    "# HELP dirigo_gateway_turn_seconds Time of a turn "
                    "through the server.\n# TYPE dirigo_gateway_turn_seconds "
                    "histogram\n");
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      absl::StrAppend(&out, "dirigo_gateway_turn_seconds_bucket{le=\"",
                      kBuckets[i], "\"} ", turn_buckets_[i], "\n");
    }
    absl::StrAppend(&out, "dirigo_gateway_turn_seconds_bucket{le=\"+Inf\"} ",
                    turns_, "\ndirigo_gateway_turn_seconds_sum ", turn_seconds_,
                    "\ndirigo_gateway_turn_seconds_count ", turns_, "\n");
    Prune(absl::Seconds(absl::GetFlag(FLAGS_live_window_seconds)));
    absl::StrAppend(
        &out,
        "# HELP dirigo_gateway_live_sessions Conversations with a turn "
        "through this gateway in the last ",
        absl::GetFlag(FLAGS_live_window_seconds),
        " s (--live_window_seconds).\n# TYPE dirigo_gateway_live_sessions "
        "gauge\ndirigo_gateway_live_sessions ",
        last_turn_.size(), "\n");
    return out;
  }

 private:
  static constexpr size_t kMaxLive = 1'000'000;
  // Forgets the sessions without a turn within `window`.
  void Prune(absl::Duration window) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const absl::Time since = absl::Now() - window;
    absl::erase_if(last_turn_,
                   [since](const auto& entry) { return entry.second < since; });
  }

  static constexpr std::array<double, 6> kBuckets = {0.005, 0.01, 0.025,
                                                     0.05,  0.1,  0.5};
  mutable absl::Mutex mu_;
  std::map<std::string, int64_t> requests_ ABSL_GUARDED_BY(mu_);
  mutable absl::flat_hash_map<std::string, absl::Time> last_turn_
      ABSL_GUARDED_BY(mu_);
  absl::Time last_prune_ ABSL_GUARDED_BY(mu_) = absl::Now();
  std::array<int64_t, 6> turn_buckets_ ABSL_GUARDED_BY(mu_) = {};
  int64_t turns_ ABSL_GUARDED_BY(mu_) = 0;
  double turn_seconds_ ABSL_GUARDED_BY(mu_) = 0;
};

// The HTTP status of a gRPC code (google.api.http's mapping).
int HttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

const char* CodeName(grpc::StatusCode code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

std::string ToJson(const Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

std::string JsonString(const std::string& s) {
  google::protobuf::Value v;
  v.set_string_value(s);
  return ToJson(v);
}

// Sends a gRPC error as JSON, with its reason when the server gave one.
void SendError(const grpc::Status& s, httplib::Response& res) {
  std::string reason;
  google::rpc::Status rich;
  if (rich.ParseFromString(s.error_details())) {
    for (const auto& any : rich.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) reason = info.reason();
    }
  }
  res.status = HttpStatus(s.error_code());
  res.set_content(
      absl::StrCat("{\"error\":{\"code\":", static_cast<int>(s.error_code()),
                   ",\"status\":\"", CodeName(s.error_code()),
                   "\",\"reason\":", JsonString(reason),
                   ",\"message\":", JsonString(s.error_message()), "}}"),
      "application/json");
}

void SendOk(const Message& m, httplib::Response& res) {
  res.status = 200;
  res.set_content(ToJson(m), "application/json");
}

// A JSON body into `m`; INVALID_ARGUMENT, naming the problem, if it is not.
grpc::Status ParseBody(const httplib::Request& req, Message* m,
                       bool ignore_unknown = false) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = ignore_unknown;
  auto s = google::protobuf::util::JsonStringToMessage(
      req.body.empty() ? "{}" : req.body, m, options);
  if (!s.ok()) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("the body is not a JSON ", m->GetDescriptor()->name(),
                     ": ", std::string(s.message())));
  }
  return grpc::Status::OK;
}

namespace gw = dirigo::gateway::v1;

class Gateway {
 public:
  Gateway(const std::shared_ptr<grpc::Channel>& channel, BearerTokens tokens,
          const std::string& server_token, Metrics* metrics)
      : stub_(v1::Advisor::NewStub(channel)),
        health_(grpc::health::v1::Health::NewStub(channel)),
        tokens_(std::move(tokens)),
        server_token_(server_token),
        metrics_(metrics),
        people_(channel, {.timeout = std::chrono::milliseconds(
                              absl::GetFlag(FLAGS_timeout_ms)),
                          .locale = "",
                          .token = server_token}) {}

  void Register(httplib::Server* http) {
    // Before any body is read: its size must be declared and within the
    // cap, not compressed, and the caller known (when tokens are on), so
    // that nobody can make the gateway read more than the cap.
    http->set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          return Admit(req, res) ? httplib::Server::HandlerResponse::Unhandled
                                 : httplib::Server::HandlerResponse::Handled;
        });
    http->Post("/v1/sessions", Route("create", &Gateway::CreateSession));
    http->Post(R"(/v1/sessions/([^/:]+):converse)",
               Route("converse", &Gateway::Converse));
    http->Get(R"(/v1/sessions/([^/:]+))", Route("get", &Gateway::GetSession));
    http->Delete(R"(/v1/sessions/([^/:]+))",
                 Route("delete", &Gateway::DeleteSession));
    http->Post("/v1:advise", Route("advise", &Gateway::Advise));
    http->Post("/v1/messages", Route("messages", &Gateway::Messages));
    http->Post("/webhooks/rest/webhook", Route("webhook_rest", &Gateway::Rasa));
    http->Get("/v1/texts", Route("texts", &Gateway::Texts));
    if (absl::GetFlag(FLAGS_web_chat)) RegisterWebChat(http);
    http->Get("/healthz",
              [this](const httplib::Request&, httplib::Response& res) {
                Healthz(res);
                metrics_->Count("healthz", res.status);
              });
    http->Get(
        "/metrics", [this](const httplib::Request&, httplib::Response& res) {
          res.set_content(metrics_->Render(), "text/plain; version=0.0.4");
        });
  }

 private:
  using Handler = void (Gateway::*)(const std::string& channel,
                                    const httplib::Request&,
                                    httplib::Response&);

  // Runs the handler with the caller's channel (its token's name, or
  // `fixed_channel` when given), and counts the answer.
  httplib::Server::Handler Route(const std::string& name, Handler handler,
                                 const std::string& fixed_channel = "") {
    return [this, name, handler, fixed_channel](const httplib::Request& req,
                                                httplib::Response& res) {
      // Admit() let only known tokens through.
      std::string channel = fixed_channel;
      if (channel.empty() && tokens_.on()) {
        channel = tokens_.NameOf(req.get_header_value("Authorization"));
      }
      (this->*handler)(channel, req, res);
      metrics_->Count(name, res.status);
    };
  }

  // The page at / and its files, and the routes it calls: open to anyone,
  // and reaching the "web" channel's sessions only.
  void RegisterWebChat(httplib::Server* http) {
    http->Get("/", [this](const httplib::Request& req, httplib::Response& res) {
      ServeFile("/index.html", res);
      metrics_->Count("page", res.status);
    });
    http->Get(R"(/([a-z0-9-]+\.(?:html|js|css|svg)))",
              [this](const httplib::Request& req, httplib::Response& res) {
                ServeFile(req.path, res);
                metrics_->Count("page", res.status);
              });
    http->Post("/chat/v1/sessions",
               Route("create", &Gateway::CreateSession, kWebChannel));
    http->Post(R"(/chat/v1/sessions/([^/:]+):converse)",
               Route("converse", &Gateway::Converse, kWebChannel));
    http->Get(R"(/chat/v1/sessions/([^/:]+))",
              Route("get", &Gateway::GetSession, kWebChannel));
    http->Delete(R"(/chat/v1/sessions/([^/:]+))",
                 Route("delete", &Gateway::DeleteSession, kWebChannel));
    http->Get("/chat/v1/texts", Route("texts", &Gateway::Texts, kWebChannel));
  }

  static bool IsWebChatPath(const std::string& path) {
    return path == "/" || absl::StartsWith(path, "/chat/") ||
           (path.find('/', 1) == std::string::npos &&
            (absl::EndsWith(path, ".html") || absl::EndsWith(path, ".js") ||
             absl::EndsWith(path, ".css") || absl::EndsWith(path, ".svg")));
  }

  void ServeFile(const std::string& path, httplib::Response& res);
  void Texts(const std::string& channel, const httplib::Request& req,
             httplib::Response& res);

  // Cross-origin calls from the pages of --allowed_origins: their answers
  // name the origin, and their preflights are answered here. False (and
  // the answer set) when the request was a preflight.
  bool CrossOrigin(const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    const auto& allowed = absl::GetFlag(FLAGS_allowed_origins);
    const bool ok = !origin.empty() && std::find(allowed.begin(), allowed.end(),
                                                 origin) != allowed.end();
    if (ok) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
    if (req.method != "OPTIONS") return true;
    res.status = ok ? 204 : 403;
    if (ok) {
      res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE");
      res.set_header("Access-Control-Allow-Headers",
                     "Authorization, Content-Type");
      res.set_header("Access-Control-Max-Age", "600");
    }
    metrics_->Count("preflight", res.status);
    return false;
  }

  // Whether a request may go on to its route; if not, the answer is set.
  bool Admit(const httplib::Request& req, httplib::Response& res) {
    if (!CrossOrigin(req, res)) return false;
    const bool open =
        req.path == "/healthz" || req.path == "/metrics" ||
        (absl::GetFlag(FLAGS_web_chat) && IsWebChatPath(req.path));
    std::string refusal;
    if (req.has_header("Transfer-Encoding") ||
        ((req.method == "POST" || req.method == "PUT") &&
         !req.has_header("Content-Length"))) {
      res.status = 411;
      refusal = "a body needs a Content-Length (chunked bodies are refused)";
    } else if (uint64_t length = 0;
               req.has_header("Content-Length") &&
               (!absl::SimpleAtoi(req.get_header_value("Content-Length"),
                                  &length) ||
                length > static_cast<uint64_t>(
                             absl::GetFlag(FLAGS_max_body_bytes)))) {
      res.status = 413;
      refusal = absl::StrCat("the body is over ",
                             absl::GetFlag(FLAGS_max_body_bytes), " bytes");
    } else if (req.has_header("Content-Encoding") &&
               req.get_header_value("Content-Encoding") != "identity") {
      res.status = 415;
      refusal = "compressed bodies are refused";
    } else if (tokens_.on() && !open &&
               tokens_.NameOf(req.get_header_value("Authorization")).empty()) {
      SendError(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                             "a valid bearer token is required"),
                res);
      res.set_header("WWW-Authenticate", "Bearer");
      metrics_->Count("refused", res.status);
      return false;
    }
    if (refusal.empty()) return true;
    res.set_content(
        absl::StrCat("{\"error\":{\"code\":3,\"status\":\"INVALID_ARGUMENT\","
                     "\"reason\":\"BODY_REFUSED\",\"message\":",
                     JsonString(refusal), "}}"),
        "application/json");
    metrics_->Count("refused", res.status);
    return false;
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::GetFlag(FLAGS_timeout_ms)));
    if (!server_token_.empty()) {
      c->AddMetadata("authorization", "Bearer " + server_token_);
    }
    return c;
  }

  // The server's own answer for an unknown session (docs/API.md), so that
  // a bridge cannot tell another bridge's session from none.
  static grpc::Status Absent(const std::string& session) {
    google::rpc::Status rich;
    rich.set_code(static_cast<int>(grpc::StatusCode::NOT_FOUND));
    rich.set_message(absl::StrCat(
        "no conversation '", session,
        "': it never existed, was deleted, or expired after being idle"));
    google::rpc::ErrorInfo info;
    info.set_reason("SESSION_NOT_FOUND");
    info.set_domain("dirigo.v1");
    rich.add_details()->PackFrom(info);
    google::rpc::BadRequest bad;
    auto* v = bad.add_field_violations();
    v->set_field("session");
    v->set_description(rich.message());
    rich.add_details()->PackFrom(bad);
    return grpc::Status(grpc::StatusCode::NOT_FOUND, rich.message(),
                        rich.SerializeAsString());
  }

  // With tokens, a session of another channel is as good as absent.
  grpc::Status Own(const std::string& channel, const std::string& session) {
    if (channel.empty()) return grpc::Status::OK;
    v1::GetSessionRequest req;
    req.set_session(session);
    v1::Session s;
    grpc::Status status = stub_->GetSession(Ctx().get(), req, &s);
    if (status.ok() && s.channel() != channel) return Absent(session);
    return status;
  }

  template <typename Request, typename Response, typename Call>
  void Unary(Request& request, const grpc::Status& checked, Call call,
             httplib::Response& res) {
    if (!checked.ok()) return SendError(checked, res);
    Response response;
    grpc::Status s = (stub_.get()->*call)(Ctx().get(), request, &response);
    if (!s.ok()) return SendError(s, res);
    SendOk(response, res);
  }

  void CreateSession(const std::string& channel, const httplib::Request& req,
                     httplib::Response& res) {
    v1::CreateSessionRequest request;
    grpc::Status parsed = ParseBody(req, &request);
    if (!channel.empty()) request.set_channel(channel);
    if (request.channel().empty()) request.set_channel("gateway");
    // A visitor of the page is nobody in particular: naming a person would
    // reach their conversation. The page keeps its session's name instead.
    if (channel == kWebChannel) request.clear_external_user_id();
    Unary<v1::CreateSessionRequest, v1::CreateSessionResponse>(
        request, parsed, &v1::Advisor::Stub::CreateSession, res);
  }

  void Converse(const std::string& channel, const httplib::Request& req,
                httplib::Response& res) {
    v1::ConverseRequest request;
    grpc::Status checked = ParseBody(req, &request);
    request.set_session(req.matches[1]);
    if (checked.ok()) checked = Own(channel, request.session());
    auto start = std::chrono::steady_clock::now();
    Unary<v1::ConverseRequest, v1::ConverseResponse>(
        request, checked, &v1::Advisor::Stub::Converse, res);
    if (res.status == 200) {
      metrics_->Live(request.session());
      metrics_->Turn(std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count());
    }
  }

  void GetSession(const std::string& channel, const httplib::Request& req,
                  httplib::Response& res) {
    v1::GetSessionRequest request;
    request.set_session(req.matches[1]);
    Unary<v1::GetSessionRequest, v1::Session>(
        request, Own(channel, request.session()),
        &v1::Advisor::Stub::GetSession, res);
  }

  void DeleteSession(const std::string& channel, const httplib::Request& req,
                     httplib::Response& res) {
    v1::DeleteSessionRequest request;
    request.set_session(req.matches[1]);
    Unary<v1::DeleteSessionRequest, v1::DeleteSessionResponse>(
        request, Own(channel, request.session()),
        &v1::Advisor::Stub::DeleteSession, res);
    if (res.status == 200) metrics_->Gone(request.session());
  }

  void Advise(const std::string&, const httplib::Request& req,
              httplib::Response& res) {
    v1::AdviseRequest request;
    grpc::Status parsed = ParseBody(req, &request);
    Unary<v1::AdviseRequest, v1::AdviseResponse>(
        request, parsed, &v1::Advisor::Stub::Advise, res);
  }

  void Messages(const std::string& channel, const httplib::Request& req,
                httplib::Response& res);
  void Rasa(const std::string& channel, const httplib::Request& req,
            httplib::Response& res);
  void Healthz(httplib::Response& res);

  std::unique_ptr<v1::Advisor::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  const BearerTokens tokens_;
  const std::string server_token_;
  Metrics* metrics_;
  // Platform people's conversations.
  Conversations people_;
};

void Gateway::Messages(const std::string& token_channel,
                       const httplib::Request& req, httplib::Response& res) {
  gw::PlatformMessage message;
  // Platforms add fields of their own: they are ignored.
  grpc::Status s = ParseBody(req, &message, /*ignore_unknown=*/true);
  if (s.ok() && message.user().empty()) {
    s = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "user is required");
  }
  if (!s.ok()) return SendError(s, res);
  std::string channel = token_channel;
  if (channel.empty())
    channel = message.channel().empty() ? "gateway" : message.channel();
  Conversations::Turn t;
  gw::PlatformReply reply;
  auto start = std::chrono::steady_clock::now();
  s = people_.Say(channel, message.user(), message.text(), message.message_id(),
                  &t);
  if (!s.ok()) return SendError(s, res);
  reply.set_session(t.session);
  metrics_->Turn(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  metrics_->Live(reply.session());
  reply.set_new_session(t.begun);
  // The replies numbered: the server maps a number typed back to its reply.
  RenderOptions plain{.replies = RenderOptions::Replies::kNumbered};
  for (auto& text :
       PlainMessages(t.greeting, {.replies = RenderOptions::Replies::kNone})) {
    reply.add_texts(std::move(text));
  }
  for (auto& text : PlainMessages(t.turn, plain)) {
    reply.add_texts(std::move(text));
  }
  *reply.mutable_turn() = std::move(t.turn);
  SendOk(reply, res);
}

void Gateway::Rasa(const std::string& token_channel,
                   const httplib::Request& req, httplib::Response& res) {
  gw::RasaMessage message;
  // Rasa's channel sends more (metadata…): ignored.
  grpc::Status s = ParseBody(req, &message, /*ignore_unknown=*/true);
  if (s.ok() && message.sender().empty()) {
    s = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "sender is required");
  }
  if (!s.ok()) return SendError(s, res);
  const std::string channel = token_channel.empty() ? "rest" : token_channel;
  Conversations::Turn turn;
  s = people_.Say(channel, message.sender(), message.message(), "", &turn);
  if (!s.ok()) return SendError(s, res);
  metrics_->Live(turn.session);
  // Buttons carry the quick replies, on the last message.
  RenderOptions buttons{.replies = RenderOptions::Replies::kNone};
  std::vector<std::string> texts = PlainMessages(turn.greeting, buttons);
  for (auto& t : PlainMessages(turn.turn, buttons)) {
    texts.push_back(std::move(t));
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out = "[";
  for (size_t i = 0; i < texts.size(); ++i) {
    gw::RasaReply r;
    r.set_recipient_id(message.sender());
    r.set_text(texts[i]);
    if (i + 1 == texts.size()) {
      for (const auto& q : turn.turn.quick_replies()) {
        gw::RasaButton* b = r.add_buttons();
        b->set_title(q.label());
        b->set_payload(q.text());
      }
    }
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(r, &json, options);
    absl::StrAppend(&out, i ? "," : "", json);
  }
  res.status = 200;
  res.set_content(out + "]", "application/json");
}

// Content types of the page's files, by extension.
std::string ContentType(const std::string& path) {
  if (absl::EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(path, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

void Gateway::ServeFile(const std::string& path, httplib::Response& res) {
  std::string body;
  bool found = false;
  if (const std::string dir = absl::GetFlag(FLAGS_web_dir); !dir.empty()) {
    // The route admits only "/name.ext" of [a-z0-9-]: nothing outside dir.
    std::ifstream in(dir + path, std::ios::binary);
    if (in) {
      body.assign(std::istreambuf_iterator<char>(in), {});
      found = true;
    }
  } else {
    for (const WebAsset& a : EmbeddedWebAssets()) {
      if (path == a.path) {
        body = std::string(a.body);
        found = true;
      }
    }
  }
  if (!found) {
    res.status = 404;
    res.set_content("not found\n", "text/plain");
    return;
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  if (absl::EndsWith(path, ".html")) {
    // Framed only by this gateway and the pages of --allowed_origins.
    res.set_header(
        "Content-Security-Policy",
        absl::StrCat("default-src 'self'; img-src 'self' data:; "
                     "frame-ancestors 'self'",
                     absl::GetFlag(FLAGS_allowed_origins).empty() ? "" : " ",
                     absl::StrJoin(absl::GetFlag(FLAGS_allowed_origins), " ")));
    res.set_header("Referrer-Policy", "no-referrer");
  }
  res.set_content(body, ContentType(path));
}

void Gateway::Texts(const std::string&, const httplib::Request& req,
                    httplib::Response& res) {
  v1::GetClientTextsRequest request;
  request.set_locale(req.get_param_value("locale"));
  Unary<v1::GetClientTextsRequest, v1::ClientTexts>(
      request, grpc::Status::OK, &v1::Advisor::Stub::GetClientTexts, res);
}

void Gateway::Healthz(httplib::Response& res) {
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("dirigo.v1.Advisor");
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = health_->Check(Ctx().get(), req, &resp);
  bool ok =
      s.ok() && resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  res.status = ok ? 200 : 503;
  res.set_content(ok ? "ok\n" : "the Dirigo server is not serving\n",
                  "text/plain");
}

// Serves until SIGINT or SIGTERM.
absl::Status Run(const sigset_t& signals) {
  absl::StatusOr<BearerTokens> tokens =
      BearerTokens::Load(absl::GetFlag(FLAGS_auth_tokens_file));
  if (!tokens.ok()) return tokens.status();
  // The page's channel is the page's: a bridge named so would reach the
  // visitors' conversations.
  for (const std::string& name : tokens->names()) {
    if (name == kWebChannel) {
      return absl::InvalidArgumentError(absl::StrCat(
          absl::GetFlag(FLAGS_auth_tokens_file), ": \"", kWebChannel,
          "\" is the web chat page's channel; name the bridge otherwise"));
    }
  }
  if (absl::GetFlag(FLAGS_tls_cert).empty() !=
      absl::GetFlag(FLAGS_tls_key).empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  if (absl::GetFlag(FLAGS_max_body_bytes) < 1) {
    return absl::InvalidArgumentError("--max_body_bytes must be at least 1");
  }
  const std::string listen = absl::GetFlag(FLAGS_listen);
  absl::StatusOr<HostPort> address =
      ParseHostPort("listen", listen, /*allow_zero=*/true);
  if (!address.ok()) return address.status();
  const std::string host = address->host;
  int port = address->port;
  // Without tokens every route is open: with the page served beyond this
  // machine, its visitors could reach every bridge's conversations.
  if (!tokens->on() && absl::GetFlag(FLAGS_web_chat) && host != "127.0.0.1" &&
      host != "::1" && host != "localhost") {
    return absl::InvalidArgumentError(absl::StrCat(
        "serving the web chat page on ", listen,
        " needs --auth_tokens_file: without tokens the API's routes would be "
        "open to every visitor of the page (or use --web_chat=false)"));
  }
  absl::StatusOr<ServerConnection> upstream =
      ConnectToServer(absl::GetFlag(FLAGS_server));
  if (!upstream.ok()) return upstream.status();
  Metrics metrics;
  Gateway gateway(upstream->channel, *std::move(tokens), upstream->token,
                  &metrics);
  std::unique_ptr<httplib::Server> server;
  if (const std::string cert = absl::GetFlag(FLAGS_tls_cert); !cert.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(
        cert.c_str(), absl::GetFlag(FLAGS_tls_key).c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot use --tls_cert=", cert,
                       " with --tls_key=", absl::GetFlag(FLAGS_tls_key),
                       " (missing, unreadable, or not a matching PEM pair)"));
    }
    server = std::move(tls);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *server;
  http.set_payload_max_length(absl::GetFlag(FLAGS_max_body_bytes));
  http.set_read_timeout(10, 0);
  http.set_write_timeout(10, 0);
  gateway.Register(&http);
  port = port == 0 ? http.bind_to_any_port(host)
                   : (http.bind_to_port(host, port) ? port : -1);
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  }
  WritePortFile(absl::GetFlag(FLAGS_port_file), port);
  std::cerr << "dirigo-gateway listening on " << host << ":" << port << " for "
            << absl::GetFlag(FLAGS_server) << "\n";
  std::thread stopper([&http, &signals] {
    WaitForStopSignal(signals);
    // stop() does nothing until the server runs.
    while (!http.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    http.stop();
  });
  http.listen_after_bind();
  stopper.join();
  return absl::OkStatus();
}

}  // namespace
}  // namespace dirigo

int main(int argc, char** argv) {
  dirigo::SetUpFlagsUsage(
      "gateway_main.cc",
      "Dirigo over HTTP/JSON. Usage: dirigo-gateway [--listen=HOST:PORT] "
      "[--server=HOST:PORT] [--auth_tokens_file=FILE]",
      {"server_connection.cc"});
  // Before any thread starts: only the stopper's sigwait sees them.
  const sigset_t signals = dirigo::BlockStopSignals();
  absl::ParseCommandLine(argc, argv);
  absl::Status status = dirigo::Run(signals);
  if (!status.ok()) {
    std::cerr << "dirigo-gateway: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
