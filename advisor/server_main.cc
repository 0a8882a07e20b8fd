// dirigo-server: the Dirigo advisor as a gRPC service.
//
//   dirigo-server [--listen=127.0.0.1:50051] [--kb=FOLDER]
//                 [--store=sqlite:var/dirigo.db|memory|redis://HOST:PORT/DB]
//
// Serves dirigo.v1.Advisor, grpc.health.v1.Health and server reflection.
// Health answers for "" and "dirigo.v1.Advisor": SERVING while turns can be
// served, NOT_SERVING while the store cannot be reached or the server
// drains. Stops gracefully on SIGINT or SIGTERM (open calls get
// kShutdownGrace to finish; an idle connected client can hold the stop that
// long).
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "advisor/advisor_core.h"
#include "advisor/advisor_service.h"
#include "advisor/kb_locator.h"
#include "advisor/session_store.h"
#include "advisor/worker_pool.h"
#include "base/bearer_tokens.h"
#include "base/flags_usage.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/stop_signals.h"
#include "grpc/support/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"

#ifndef DIRIGO_VERSION
#define DIRIGO_VERSION "dev"
#endif
#ifndef DIRIGO_KB_RELDIR
#define DIRIGO_KB_RELDIR "../share/dirigo/knowledge"
#endif

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to listen on; port 0 picks a free port (see --port_file)");
ABSL_FLAG(std::string, port_file, "",
          "when set, the port actually bound is written to this file once the "
          "server is ready");
ABSL_FLAG(std::string, kb, "",
          "knowledge folder: one locale's folder (knowledge/it) or a root with "
          "one folder per locale; default: the bundled knowledge base");
ABSL_FLAG(std::string, store, "sqlite:var/dirigo.db",
          "where sessions live: 'sqlite:PATH' (a file, kept across restarts), "
          "'memory' (lost at restart) or 'redis://[:PASSWORD@]HOST:PORT[/DB]' "
          "(shared by replicas)");
ABSL_FLAG(std::string, store_sync, "normal",
          "SQLite durability: 'normal' survives a crash of the server, 'full' "
          "also a power cut (an fsync per turn)");
ABSL_FLAG(absl::Duration, session_ttl, absl::ZeroDuration(),
          "a conversation idle this long is forgotten; default 30 days (720h) "
          "on sqlite and redis, 30 minutes on memory");
ABSL_FLAG(int, max_sessions, 20000,
          "most conversations kept at once by the memory store");
ABSL_FLAG(int, workers, 4, "threads computing turns");
ABSL_FLAG(
    int, max_queue, 1024,
    "turns waiting for a worker before calls fail with RESOURCE_EXHAUSTED");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate (chain): serve over TLS only; needs --tls_key");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "with --tls_cert: PEM certificate of the CA whose client "
          "certificates are required (mutual TLS); clients without one are "
          "refused");
ABSL_FLAG(std::string, auth_tokens_file, "",
          "API tokens, one per line: NAME SHA256-OF-TOKEN-IN-HEX; every call "
          "then needs the metadata \"authorization: Bearer TOKEN\", and a "
          "session belongs to its creator's token. Without it, no token is "
          "asked for");
ABSL_FLAG(double, caller_calls_per_second, 0,
          "calls a second from one caller (its API token, or its address "
          "without tokens), with bursts of twice as many; 0: no limit (behind "
          "the gateway, every message comes from one address)");
ABSL_FLAG(int, caller_sessions_per_minute, 0,
          "new conversations a minute from one caller, all at once at most; 0: "
          "no limit");
ABSL_FLAG(int, caller_max_sessions, 0,
          "live conversations one caller (its API token, or its address "
          "without tokens) may hold at once; beyond, CreateSession gets "
          "RESOURCE_EXHAUSTED until one is deleted or expires; 0: no cap "
          "(behind the gateway or a bridge, every person's conversation is "
          "that client's)");
ABSL_FLAG(double, session_messages_per_second, 20,
          "messages a second on one conversation, with bursts of twice as "
          "many; 0: no limit");
ABSL_FLAG(absl::Duration, stall_timeout, absl::Seconds(10),
          "health says NOT_SERVING while a call has waited for a worker "
          "longer than this (the workers are stuck)");
ABSL_FLAG(int, max_message_bytes, 4096,
          "longest message accepted, in bytes (at most 65536); longer ones "
          "get INVALID_ARGUMENT saying the limit");
ABSL_FLAG(absl::Duration, stream_idle_timeout, absl::Minutes(5),
          "a StreamConverse without a message for this long is ended "
          "(DEADLINE_EXCEEDED)");
ABSL_FLAG(int, stream_max_messages, 1000,
          "a StreamConverse is ended (RESOURCE_EXHAUSTED) once it has "
          "answered this many messages");
ABSL_FLAG(int, max_streams, 10000,
          "StreamConverse calls open at once on the server; beyond, a new one "
          "ends at once with RESOURCE_EXHAUSTED");
ABSL_FLAG(int, max_streams_per_connection, 100,
          "calls open at once on one connection (HTTP/2 streams)");
ABSL_FLAG(absl::Duration, connection_idle_timeout, absl::Minutes(15),
          "a connection with no call for this long is closed");
ABSL_FLAG(std::string, hunspell_dir, "/usr/share/hunspell",
          "folder of the Hunspell dictionaries used for spelling tolerance");
ABSL_FLAG(bool, resume_by_user, false,
          "CreateSession with a channel and an external user id returns that "
          "person's conversation when there is one; turn on only when the "
          "server's callers are trusted bridges (such as dirigo-gateway), "
          "since the server does not check who names a channel");
ABSL_FLAG(absl::Duration, drain_time, absl::ZeroDuration(),
          "on SIGTERM, how long health answers NOT_SERVING while turns are "
          "still served, so that load balancers move away before the stop");
ABSL_FLAG(bool, version, false, "print the version and exit");
ABSL_FLAG(bool, verbose, false,
          "log every turn (ids and counts only, never text)");

namespace dirigo {
namespace {

// Largest request frame gRPC accepts. A message is at most 2,000 bytes, and
// anything up to this size gets Dirigo's own clear INVALID_ARGUMENT (per
// message on a stream); only absurd frames get gRPC's RESOURCE_EXHAUSTED,
// which ends a stream.
constexpr int kMaxReceiveBytes = 1024 * 1024;
// How long open calls may take to finish once a stop is asked.
constexpr absl::Duration kShutdownGrace = absl::Seconds(2);
// How often health checks the store.
constexpr absl::Duration kHealthPeriod = absl::Seconds(2);
// The service's own name, answered by health checks as well as "".
constexpr char kServiceName[] = "dirigo.v1.Advisor";

absl::Status CheckFlags() {
  const std::string sync = absl::GetFlag(FLAGS_store_sync);
  if (sync != "normal" && sync != "full") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--store_sync must be 'normal' or 'full', not '", sync, "'"));
  }
  if (absl::GetFlag(FLAGS_drain_time) < absl::ZeroDuration() ||
      absl::GetFlag(FLAGS_drain_time) > absl::Minutes(10)) {
    return absl::InvalidArgumentError(
        "--drain_time must be between 0s and 10m");
  }
  if (absl::Duration ttl = absl::GetFlag(FLAGS_session_ttl);
      ttl != absl::ZeroDuration() &&
      (ttl < absl::Seconds(1) || ttl > absl::Hours(24 * 3650))) {
    return absl::InvalidArgumentError(
        "--session_ttl must be between 1s and 87600h (ten years)");
  }
  if (absl::GetFlag(FLAGS_workers) < 1 ||
      absl::GetFlag(FLAGS_max_sessions) < 1 ||
      absl::GetFlag(FLAGS_max_queue) < 1) {
    return absl::InvalidArgumentError(
        "--workers, --max_sessions and --max_queue must be at least 1");
  }
  if (absl::GetFlag(FLAGS_caller_calls_per_second) < 0 ||
      absl::GetFlag(FLAGS_caller_sessions_per_minute) < 0 ||
      absl::GetFlag(FLAGS_caller_max_sessions) < 0 ||
      absl::GetFlag(FLAGS_session_messages_per_second) < 0) {
    return absl::InvalidArgumentError(
        "--caller_calls_per_second, --caller_sessions_per_minute, "
        "--caller_max_sessions and --session_messages_per_second must be 0 "
        "(no limit) or more");
  }
  if (absl::GetFlag(FLAGS_max_message_bytes) < 1 ||
      absl::GetFlag(FLAGS_max_message_bytes) >
          static_cast<int>(Engine::kMaxMessageBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_message_bytes must be between 1 and ",
                     Engine::kMaxMessageBytes));
  }
  if (absl::GetFlag(FLAGS_stream_max_messages) < 1 ||
      absl::GetFlag(FLAGS_max_streams) < 1 ||
      absl::GetFlag(FLAGS_max_streams_per_connection) < 1) {
    return absl::InvalidArgumentError(
        "--stream_max_messages, --max_streams and "
        "--max_streams_per_connection must be at least 1");
  }
  for (const auto& [name, value] :
       {std::pair{"stream_idle_timeout",
                  absl::GetFlag(FLAGS_stream_idle_timeout)},
        std::pair{"connection_idle_timeout",
                  absl::GetFlag(FLAGS_connection_idle_timeout)}}) {
    if (value < absl::Seconds(1) || value > absl::Hours(24)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " must be between 1s and 24h"));
    }
  }
  return absl::OkStatus();
}

// One engine per locale folder of --kb (or of the bundled knowledge base).
absl::StatusOr<std::map<std::string, std::shared_ptr<const Engine>>>
LoadEngines() {
  std::string root = absl::GetFlag(FLAGS_kb);
  if (root.empty()) {
    ASSIGN_OR_RETURN(root, FindBundledKnowledge(DIRIGO_KB_RELDIR));
  }
  KnowledgeBaseOptions options;
  options.hunspell_dir = absl::GetFlag(FLAGS_hunspell_dir);
  std::map<std::string, std::shared_ptr<const Engine>> engines;
  for (const auto& [name, folder] : KnowledgeFolders(root)) {
    ASSIGN_OR_RETURN(auto kb, KnowledgeBase::LoadDirectory(folder, options));
    if (engines.count(kb->locale())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "two knowledge bases for locale \"", kb->locale(), "\" in ", root));
    }
    ASSIGN_OR_RETURN(engines[kb->locale()], Engine::Create(kb));
    LOG_INFO("knowledge base %s loaded (%d patterns)", kb->version().c_str(),
             kb->pattern_count());
  }
  if (engines.empty()) {
    return absl::NotFoundError(absl::StrCat("no knowledge base in ", root));
  }
  return engines;
}

absl::StatusOr<std::string> ReadPem(const std::string& flag,
                                    const std::string& file) {
  std::ifstream in(file);
  std::stringstream text;
  if (!in || !(text << in.rdbuf()) ||
      text.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read a PEM file at \"", file, "\""));
  }
  return text.str();
}

// The rates of --caller_calls_per_second, --caller_sessions_per_minute and
// --session_messages_per_second; the cap of --caller_max_sessions, on
// conversations that live `idle`.
CallLimits CallRates(absl::Duration idle) {
  const double calls = absl::GetFlag(FLAGS_caller_calls_per_second);
  const double sessions = absl::GetFlag(FLAGS_caller_sessions_per_minute);
  const double messages = absl::GetFlag(FLAGS_session_messages_per_second);
  return {
      .calls_per_caller = {.rate = calls, .burst = std::max(1.0, 2 * calls)},
      .creates_per_caller = {.rate = sessions / 60,
                             .burst = std::max(1.0, sessions)},
      .messages_per_session = {.rate = messages,
                               .burst = std::max(1.0, 2 * messages)},
      .sessions_per_caller =
          static_cast<size_t>(absl::GetFlag(FLAGS_caller_max_sessions)),
      .session_idle = idle};
}

// Plain, or TLS with --tls_cert/--tls_key (and client certificates required
// with --tls_client_ca).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials() {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  const std::string client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  if (cert.empty()) {
    if (!client_ca.empty()) {
      return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert");
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem("tls_cert", cert));
  ASSIGN_OR_RETURN(pair.private_key, ReadPem("tls_key", key));
  options.pem_key_cert_pairs.push_back(pair);
  if (!client_ca.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs,
                     ReadPem("tls_client_ca", client_ca));
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// gRPC's own log lines (a failed TLS handshake, …) go through Dirigo's
// logger, which never blocks, instead of straight to stderr.
void LogFromGrpc(gpr_log_func_args* args) {
  if (args->severity == GPR_LOG_SEVERITY_DEBUG) return;
  LOG_INFO("grpc: %s", args->message);
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartServer(
    AdvisorService* service) {
  gpr_set_log_function(LogFromGrpc);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   ServerCredentials());
  builder.AddListeningPort(listen, credentials, &port);
  builder.RegisterService(service);
  builder.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  // Connections: closed when idle; pinged when quiet, and closed when the
  // peer is gone; a bound on the calls open at once on each.
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_IDLE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(
          absl::GetFlag(FLAGS_connection_idle_timeout))));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 2 * 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             absl::GetFlag(FLAGS_max_streams_per_connection));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", listen, " (address in use, or not valid?)"));
  }
  if (const std::string file = absl::GetFlag(FLAGS_port_file); !file.empty()) {
    std::ofstream(file + ".tmp") << port << "\n";
    std::rename((file + ".tmp").c_str(), file.c_str());
  }
  LOG_INFO("dirigo-server %s listening on %s (port %d)", DIRIGO_VERSION,
           listen.c_str(), port);
  return server;
}

absl::StatusOr<std::unique_ptr<SessionStore>> OpenStore(const Clock* clock) {
  const std::string spec = absl::GetFlag(FLAGS_store);
  StoreOptions options;
  options.idle_ttl = absl::GetFlag(FLAGS_session_ttl);
  if (options.idle_ttl == absl::ZeroDuration()) {
    options.idle_ttl = spec == "memory" ? absl::Minutes(30) : absl::Hours(720);
  }
  options.max_sessions = static_cast<size_t>(absl::GetFlag(FLAGS_max_sessions));
  options.sync_every_turn = absl::GetFlag(FLAGS_store_sync) == "full";
  ASSIGN_OR_RETURN(auto store, OpenSessionStore(spec, clock, options));
  LOG_INFO("sessions in %s (forgotten after %s idle)",
           store->Describe().c_str(),
           absl::FormatDuration(options.idle_ttl).c_str());
  return store;
}

// Keeps health in step with the store until `stop` is notified: SERVING
// while the store answers, NOT_SERVING while it does not.
// Health says SERVING while the store answers and turns are being served
// (no call waited for a worker longer than --stall_timeout).
void WatchHealth(grpc::HealthCheckServiceInterface* health, SessionStore* store,
                 WorkerPool* pool, absl::Notification* stop) {
  bool serving = true;
  do {
    // Stalled first: a store stuck under a turn must not hold the verdict
    // back (its ping would wait for the turn).
    const bool stalled = pool->Stalled(absl::GetFlag(FLAGS_stall_timeout));
    absl::Status ping = stalled ? absl::OkStatus() : store->Ping();
    if ((ping.ok() && !stalled) != serving) {
      serving = ping.ok() && !stalled;
      const std::string why =
          !ping.ok()
              ? std::string(ping.message())
              : "calls have waited for a worker for over " +
                    absl::FormatDuration(absl::GetFlag(FLAGS_stall_timeout));
      LOG_INFO("%s",
               serving ? "serving again" : ("not serving: " + why).c_str());
      health->SetServingStatus(serving);
    }
  } while (!stop->WaitForNotificationWithTimeout(kHealthPeriod));
}

// Serves until SIGINT or SIGTERM, then stops gracefully.
absl::Status Serve(const sigset_t& signals) {
  ASSIGN_OR_RETURN(auto engines, LoadEngines());
  SystemClock clock;
  ASSIGN_OR_RETURN(std::unique_ptr<SessionStore> store, OpenStore(&clock));
  AdvisorCore core(std::move(engines), store.get(), &clock,
                   {.resume_by_user = absl::GetFlag(FLAGS_resume_by_user),
                    .max_message_bytes = static_cast<size_t>(
                        absl::GetFlag(FLAGS_max_message_bytes))});
  auto pool = std::make_unique<WorkerPool>(absl::GetFlag(FLAGS_workers),
                                           absl::GetFlag(FLAGS_max_queue));
  ASSIGN_OR_RETURN(BearerTokens tokens,
                   BearerTokens::Load(absl::GetFlag(FLAGS_auth_tokens_file)));
  if (tokens.on()) {
    LOG_INFO("API tokens required (%d known)",
             static_cast<int>(tokens.names().size()));
    if (absl::GetFlag(FLAGS_tls_cert).empty()) {
      LOG_INFO(
          "warning: API tokens travel in clear text without --tls_cert; keep "
          "the server on loopback or a private network");
    }
  }
  AdvisorService service(
      &core, pool.get(),
      {.idle = absl::GetFlag(FLAGS_stream_idle_timeout),
       .max_messages = absl::GetFlag(FLAGS_stream_max_messages),
       .max_open = absl::GetFlag(FLAGS_max_streams)},
      &tokens, CallRates(store->idle_ttl()));
  ASSIGN_OR_RETURN(std::unique_ptr<grpc::Server> server, StartServer(&service));
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(kServiceName, true);
  absl::Notification stop_watching;
  std::thread watcher(WatchHealth, health, store.get(), pool.get(),
                      &stop_watching);
  const int signal_number = WaitForStopSignal(signals);
  LOG_INFO("signal %d: shutting down", signal_number);
  // Health checks answer NOT_SERVING from now on, so balancers move away
  // (the watcher's later changes are ignored).
  health->Shutdown();
  stop_watching.Notify();
  watcher.join();
  if (absl::Duration drain = absl::GetFlag(FLAGS_drain_time);
      drain > absl::ZeroDuration()) {
    LOG_INFO("draining for %s", absl::FormatDuration(drain).c_str());
    absl::SleepFor(drain);
  }
  server->Shutdown(absl::ToChronoTime(absl::Now() + kShutdownGrace));
  server->Wait();
  pool.reset();  // runs what is queued, then stops
  LOG_INFO("stopped");
  return absl::OkStatus();
}

}  // namespace
}  // namespace dirigo

int main(int argc, char** argv) {
  // --help lists this program's own flags.
  dirigo::SetUpFlagsUsage(
      "server_main.cc",
      "Dirigo's advisor service. Usage: dirigo-server [--listen=HOST:PORT] "
      "[--kb=FOLDER] [--store=sqlite:var/dirigo.db|memory|redis://HOST:PORT]");
  // Before any thread starts: only Serve's sigwait sees them.
  const sigset_t signals = dirigo::BlockStopSignals();

  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_version)) {
    std::cout << "dirigo-server " << DIRIGO_VERSION << "\n";
    return 0;
  }
  if (absl::GetFlag(FLAGS_verbose))
    dirigo::SetLogLevel(dirigo::LogLevel::kDebug);
  absl::Status status = dirigo::CheckFlags();
  if (status.ok()) status = dirigo::Serve(signals);
  if (!status.ok()) {
    std::cerr << "dirigo-server: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
