// dirigo-load: a load peer for dirigo-server over gRPC, on loopback.
//
//   dirigo-load --server=127.0.0.1:PORT [--clients=8] [--conversations=50]
//
// Each client thread runs whole conversations (CreateSession, a scripted
// exchange of Converse calls, DeleteSession) as fast as the server answers,
// then the tool prints throughput and latency percentiles of Converse. The
// run is bounded by --conversations per client; it never sleeps.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "the server, HOST:PORT");
ABSL_FLAG(int, clients, 8, "concurrent clients, one channel each");
ABSL_FLAG(int, conversations, 50, "conversations per client");

namespace {

const char* kScript[] = {
    "ciao",
    "ho la triennale in economia e faccio la segretaria da tre anni",
    "perché me lo chiedi?",
    "no mai",
    "cos'è di preciso il back office?",
    "le risorse umane, in una piccola azienda",
    "anzi, ho anche un master",
    "cosa sai di me?",
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int clients = absl::GetFlag(FLAGS_clients);
  const int conversations = absl::GetFlag(FLAGS_conversations);
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<int> errors{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  threads.reserve(clients);
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      auto stub = dirigo::v1::Advisor::NewStub(grpc::CreateChannel(
          absl::GetFlag(FLAGS_server), grpc::InsecureChannelCredentials()));
      std::vector<double> mine;
      for (int i = 0; i < conversations; ++i) {
        grpc::ClientContext create_ctx;
        dirigo::v1::CreateSessionRequest create;
        create.set_channel("load");
        dirigo::v1::CreateSessionResponse created;
        if (!stub->CreateSession(&create_ctx, create, &created).ok()) {
          ++errors;
          continue;
        }
        for (const char* text : kScript) {
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
          dirigo::v1::ConverseRequest req;
          req.set_session(created.session().name());
          req.set_text(text);
          dirigo::v1::ConverseResponse resp;
          auto t0 = std::chrono::steady_clock::now();
          grpc::Status s = stub->Converse(&ctx, req, &resp);
          auto t1 = std::chrono::steady_clock::now();
          if (!s.ok()) {
            ++errors;
            continue;
          }
          mine.push_back(
              std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
        grpc::ClientContext del_ctx;
        dirigo::v1::DeleteSessionRequest del;
        del.set_session(created.session().name());
        dirigo::v1::DeleteSessionResponse deleted;
        if (!stub->DeleteSession(&del_ctx, del, &deleted).ok()) ++errors;
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    size_t i = std::min(
        latencies_ms.size() - 1,
        static_cast<size_t>(p * static_cast<double>(latencies_ms.size())));
    return latencies_ms[i];
  };
  std::printf(
      "clients=%d conversations=%d turns=%zu errors=%d time=%.2fs\n"
      "throughput=%.0f turns/s  latency ms: p50=%.2f p90=%.2f p99=%.2f "
      "max=%.2f\n",
      clients, clients * conversations, latencies_ms.size(), errors.load(),
      seconds, static_cast<double>(latencies_ms.size()) / seconds, pct(0.5),
      pct(0.9), pct(0.99), latencies_ms.empty() ? 0.0 : latencies_ms.back());
  return errors.load() == 0 && !latencies_ms.empty() ? 0 : 1;
}
