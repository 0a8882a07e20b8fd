#include "advisor/advisor_service.h"

#include <atomic>

namespace dirigo {
namespace {

using dirigo::v1::ConverseRequest;
using dirigo::v1::ConverseResponse;

const grpc::Status kBusy(grpc::StatusCode::RESOURCE_EXHAUSTED,
                         "the server is busy; try again in a moment");

// Runs `call` (returning StatusOr<Response>) on the pool and finishes.
template <typename Response, typename Call>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context,
                                   WorkerPool* pool, Response* response,
                                   Call call) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  bool queued =
      pool->Submit([context, reactor, response, call = std::move(call)]() {
        // A call that waited past its deadline, or was cancelled, is not
        // applied: the client has given up and may retry.
        if (context->IsCancelled()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                                       "the call was cancelled before it ran"));
          return;
        }
        auto result = call();
        if (result.ok()) {
          *response = std::move(result).value();
          reactor->Finish(grpc::Status::OK);
        } else {
          reactor->Finish(ToGrpcStatus(result.status()));
        }
      });
  if (!queued) reactor->Finish(kBusy);
  return reactor;
}

// One conversation stream: read, answer on the pool, write, read again.
class StreamReactor final
    : public grpc::ServerBidiReactor<ConverseRequest, ConverseResponse> {
 public:
  StreamReactor(AdvisorCore* core, WorkerPool* pool)
      : core_(core), pool_(pool) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client closed its side
      Finish(grpc::Status::OK);
      return;
    }
    bool queued = pool_->Submit([this] {
      auto result = core_->Converse(request_);
      response_.Clear();
      if (result.ok()) {
        response_ = std::move(result).value();
      } else {
        response_.mutable_error()->set_code(
            static_cast<int>(result.status().code()));
        response_.mutable_error()->set_message(
            std::string(result.status().message()));
        response_.set_request_id(request_.request_id());
      }
      StartWrite(&response_);
    });
    if (!queued) {
      response_.Clear();
      response_.mutable_error()->set_code(kBusy.error_code());
      response_.mutable_error()->set_message(kBusy.error_message());
      response_.set_request_id(request_.request_id());
      StartWrite(&response_);
    }
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream broke"));
      return;
    }
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  AdvisorCore* core_;
  WorkerPool* pool_;
  ConverseRequest request_;
  ConverseResponse response_;
};

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

AdvisorService::AdvisorService(AdvisorCore* core, WorkerPool* pool)
    : core_(core), pool_(pool) {}

grpc::ServerUnaryReactor* AdvisorService::CreateSession(
    grpc::CallbackServerContext* context,
    const dirigo::v1::CreateSessionRequest* request,
    dirigo::v1::CreateSessionResponse* response) {
  return RunUnary(context, pool_, response,
                  [this, request] { return core_->CreateSession(*request); });
}

grpc::ServerUnaryReactor* AdvisorService::Converse(
    grpc::CallbackServerContext* context, const ConverseRequest* request,
    ConverseResponse* response) {
  return RunUnary(context, pool_, response, [this, context, request] {
    return core_->Converse(*request, [context] { return context->IsCancelled(); });
  });
}

grpc::ServerBidiReactor<ConverseRequest, ConverseResponse>*
AdvisorService::StreamConverse(grpc::CallbackServerContext* context) {
  return new StreamReactor(core_, pool_);
}

grpc::ServerUnaryReactor* AdvisorService::GetSession(
    grpc::CallbackServerContext* context,
    const dirigo::v1::GetSessionRequest* request,
    dirigo::v1::Session* response) {
  return RunUnary(context, pool_, response,
                  [this, request] { return core_->GetSession(*request); });
}

grpc::ServerUnaryReactor* AdvisorService::DeleteSession(
    grpc::CallbackServerContext* context,
    const dirigo::v1::DeleteSessionRequest* request,
    dirigo::v1::DeleteSessionResponse* response) {
  return RunUnary(context, pool_, response,
                  [this, request] { return core_->DeleteSession(*request); });
}

grpc::ServerUnaryReactor* AdvisorService::Advise(
    grpc::CallbackServerContext* context,
    const dirigo::v1::AdviseRequest* request,
    dirigo::v1::AdviseResponse* response) {
  return RunUnary(context, pool_, response,
                  [this, request] { return core_->Advise(*request); });
}

grpc::ServerUnaryReactor* AdvisorService::GetClientTexts(
    grpc::CallbackServerContext* context,
    const dirigo::v1::GetClientTextsRequest* request,
    dirigo::v1::ClientTexts* response) {
  return RunUnary(context, pool_, response,
                  [this, request] { return core_->GetClientTexts(*request); });
}

}  // namespace dirigo
