// The gRPC face of the advisor: `dirigo.v1.Advisor` on gRPC's callback API.
//
// Every rpc hands its work to a bounded WorkerPool and returns at once; the
// worker finishes the reactor, so gRPC's callback threads never block. When
// the pool's queue is full the rpc fails with RESOURCE_EXHAUSTED.
// StreamConverse reads one message, answers it, then reads the next; an error
// on one message goes in that response's `error` and the stream goes on.
//
// Thread-safe.
#ifndef DIRIGO_ADVISOR_ADVISOR_SERVICE_H_
#define DIRIGO_ADVISOR_ADVISOR_SERVICE_H_

#include "absl/status/status.h"
#include "advisor/advisor_core.h"
#include "advisor/worker_pool.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace dirigo {

// absl::Status → grpc::Status (the codes are the same numbers).
grpc::Status ToGrpcStatus(const absl::Status& status);

class AdvisorService final : public dirigo::v1::Advisor::CallbackService {
 public:
  // `core` and `pool` must outlive the service.
  AdvisorService(AdvisorCore* core, WorkerPool* pool);

  grpc::ServerUnaryReactor* CreateSession(
      grpc::CallbackServerContext* context,
      const dirigo::v1::CreateSessionRequest* request,
      dirigo::v1::CreateSessionResponse* response) override;
  grpc::ServerUnaryReactor* Converse(
      grpc::CallbackServerContext* context,
      const dirigo::v1::ConverseRequest* request,
      dirigo::v1::ConverseResponse* response) override;
  grpc::ServerBidiReactor<dirigo::v1::ConverseRequest,
                          dirigo::v1::ConverseResponse>*
  StreamConverse(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* GetSession(
      grpc::CallbackServerContext* context,
      const dirigo::v1::GetSessionRequest* request,
      dirigo::v1::Session* response) override;
  grpc::ServerUnaryReactor* DeleteSession(
      grpc::CallbackServerContext* context,
      const dirigo::v1::DeleteSessionRequest* request,
      dirigo::v1::DeleteSessionResponse* response) override;
  grpc::ServerUnaryReactor* Advise(
      grpc::CallbackServerContext* context,
      const dirigo::v1::AdviseRequest* request,
      dirigo::v1::AdviseResponse* response) override;
  grpc::ServerUnaryReactor* GetClientTexts(
      grpc::CallbackServerContext* context,
      const dirigo::v1::GetClientTextsRequest* request,
      dirigo::v1::ClientTexts* response) override;

 private:
  AdvisorCore* core_;
  WorkerPool* pool_;
};

}  // namespace dirigo

#endif  // DIRIGO_ADVISOR_ADVISOR_SERVICE_H_
