// The real dirigo-server, started as a process, used over gRPC as apps would.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/bearer_tokens.h"
#include "dirigo/v1/advisor.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "tests/integration/server_process.h"

namespace dirigo {
namespace {

using ::testing::HasSubstr;
namespace v1 = dirigo::v1;

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new dirigo::test_support::ServerProcess(DIRIGO_SERVER_BIN);
    ASSERT_TRUE(server_->ready()) << "dirigo-server did not start";
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { stub_ = v1::Advisor::NewStub(server_->channel()); }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(10));
    return c;
  }
  std::string NewSession(v1::CreateSessionResponse* out = nullptr) {
    v1::CreateSessionRequest req;
    req.set_channel("test");
    v1::CreateSessionResponse resp;
    EXPECT_TRUE(stub_->CreateSession(Ctx().get(), req, &resp).ok());
    if (out) *out = resp;
    return resp.session().name();
  }
  grpc::Status Say(const std::string& session, const std::string& text,
                   v1::ConverseResponse* resp, const std::string& id = "") {
    v1::ConverseRequest req;
    req.set_session(session);
    req.set_text(text);
    req.set_request_id(id);
    return stub_->Converse(Ctx().get(), req, resp);
  }

  static dirigo::test_support::ServerProcess* server_;
  std::unique_ptr<v1::Advisor::Stub> stub_;
};
dirigo::test_support::ServerProcess* ServerTest::server_ = nullptr;

TEST_F(ServerTest, ConversationOverTheWire) {
  v1::CreateSessionResponse created;
  std::string s = NewSession(&created);
  EXPECT_THAT(s, ::testing::StartsWith("s-"));
  EXPECT_EQ(created.turn().awaiting_slot(), "educationLevel");
  EXPECT_FALSE(created.turn().kb_version().empty());
  v1::ConverseResponse r;
  ASSERT_TRUE(
      Say(s, "ho la triennale in economia e faccio la segretaria da 3 anni", &r)
          .ok());
  EXPECT_EQ(r.turn().profile().education_level(), v1::EDUCATION_LEVEL_BACHELOR);
  EXPECT_EQ(r.turn().profile().years_experience(), 3);
  EXPECT_EQ(r.turn().awaiting_slot(), "leadsPeople");
  EXPECT_GT(r.turn().trace().matches_size(), 0);
  EXPECT_GT(r.turn().quick_replies_size(), 0);

  v1::GetSessionRequest get;
  get.set_session(s);
  v1::Session session;
  ASSERT_TRUE(stub_->GetSession(Ctx().get(), get, &session).ok());
  EXPECT_EQ(session.profile().study_field(), v1::STUDY_FIELD_BUSINESS);
  EXPECT_EQ(session.turn_count(), 1);
  EXPECT_EQ(session.channel(), "test");
}

TEST_F(ServerTest, RetryWithTheSameRequestIdIsAppliedOnce) {
  std::string s = NewSession();
  v1::ConverseResponse a, b;
  ASSERT_TRUE(Say(s, "ho un master", &a, "r-1").ok());
  ASSERT_TRUE(Say(s, "ho un master", &b, "r-1").ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  v1::GetSessionRequest get;
  get.set_session(s);
  v1::Session session;
  ASSERT_TRUE(stub_->GetSession(Ctx().get(), get, &session).ok());
  EXPECT_EQ(session.turn_count(), 1);
}

TEST_F(ServerTest, StreamGoesOnAfterAnError) {
  std::string s = NewSession();
  auto ctx = Ctx();
  auto stream = stub_->StreamConverse(ctx.get());
  v1::ConverseRequest req;
  req.set_session(s);
  v1::ConverseResponse resp;
  req.set_text("ho il diploma");
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&resp));
  EXPECT_EQ(resp.turn().profile().education_level(),
            v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  req.set_text(std::string(5000, 'a'));
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&resp));
  EXPECT_EQ(resp.error().code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(resp.error().message(), HasSubstr("too long"));
  req.set_text("faccio la commessa");
  ASSERT_TRUE(stream->Write(req));
  ASSERT_TRUE(stream->Read(&resp));
  EXPECT_THAT(resp.turn().profile().experience(),
              ::testing::ElementsAre(v1::EXPERIENCE_KIND_FRONT_OFFICE));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ServerTest, DeleteSessionErasesEverything) {
  std::string s = NewSession();
  v1::ConverseResponse r;
  ASSERT_TRUE(Say(s, "ho un master", &r).ok());
  v1::DeleteSessionRequest del;
  del.set_session(s);
  v1::DeleteSessionResponse deleted;
  ASSERT_TRUE(stub_->DeleteSession(Ctx().get(), del, &deleted).ok());
  EXPECT_FALSE(deleted.message().empty());
  grpc::Status st = Say(s, "ciao", &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("no conversation"));
}

TEST_F(ServerTest, StatelessAdvise) {
  v1::AdviseRequest req;
  req.mutable_profile()->set_education_level(
      v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  req.mutable_profile()->set_leads_people(false);
  v1::AdviseResponse resp;
  ASSERT_TRUE(stub_->Advise(Ctx().get(), req, &resp).ok());
  ASSERT_GT(resp.advice_size(), 0);
  EXPECT_EQ(resp.advice(0).id(), "degree_first");
  EXPECT_GT(resp.advice(0).citations_size(), 0);
  EXPECT_THAT(std::vector<std::string>(resp.missing_slots().begin(),
                                       resp.missing_slots().end()),
              testing::Contains("experience"));
}

TEST_F(ServerTest, ClientTextsComeFromTheKnowledgeBase) {
  v1::GetClientTextsRequest req;
  v1::ClientTexts texts;
  ASSERT_TRUE(stub_->GetClientTexts(Ctx().get(), req, &texts).ok());
  EXPECT_EQ(texts.locale(), "it");
  EXPECT_FALSE(texts.kb_version().empty());
  EXPECT_EQ(texts.texts().at("prompt"), "tu> ");
  EXPECT_THAT(texts.texts().at("commands"), HasSubstr("/profilo"));
  bool profile = false;
  for (const auto& c : texts.commands()) {
    if (c.action() != "profile") continue;
    profile = true;
    EXPECT_THAT(c.alias(), ::testing::Contains("/profilo"));
    EXPECT_EQ(c.message(), "cosa sai di me?");
  }
  EXPECT_TRUE(profile);
  req.set_locale("en");
  grpc::Status s = stub_->GetClientTexts(Ctx().get(), req, &texts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("not available yet"));
}

TEST_F(ServerTest, ClearErrorsForBadRequests) {
  v1::ConverseResponse r;
  grpc::Status st = Say("s-nope", "ciao", &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  std::string s = NewSession();
  // No words: not an error, the question again.
  st = Say(s, "   ", &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_THAT(r.turn().messages(0).text(), HasSubstr("vuoto"));
  v1::CreateSessionRequest long_id;
  long_id.set_external_user_id(std::string(129, 'u'));
  v1::CreateSessionResponse refused;
  st = stub_->CreateSession(Ctx().get(), long_id, &refused);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("external_user_id is too long"));
  st = Say(s, "ciao", &r, std::string(129, 'r'));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("request_id is too long"));
  v1::CreateSessionRequest en;
  en.set_locale("en");
  v1::CreateSessionResponse created;
  st = stub_->CreateSession(Ctx().get(), en, &created);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("not available yet"));
}

TEST_F(ServerTest, OversizedRequestIsRefused) {
  std::string s = NewSession();
  v1::ConverseResponse r;
  // Up to the frame limit (1 MiB) the error is Dirigo's, and says the limit.
  grpc::Status st = Say(s, std::string(100 * 1024, 'a'), &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("at most 4096"));
  // Beyond it, gRPC refuses the frame.
  st = Say(s, std::string(2 * 1024 * 1024, 'a'), &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Say(s, "ho una laurea", &r).ok());
}

TEST_F(ServerTest, RequestIdReusedForAnotherTextIsRefused) {
  std::string s = NewSession();
  v1::ConverseResponse r;
  ASSERT_TRUE(Say(s, "ho un master", &r, "r-7").ok());
  grpc::Status st = Say(s, "ho il diploma", &r, "r-7");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(),
              HasSubstr("request id 'r-7' was already used for a different"));
}

TEST_F(ServerTest, SessionShowsItsTranscriptAndExpiry) {
  std::string s = NewSession();
  v1::ConverseResponse r;
  ASSERT_TRUE(Say(s, "faccio la segretaria da 3 anni", &r).ok());
  v1::GetSessionRequest get;
  get.set_session(s);
  v1::Session session;
  ASSERT_TRUE(stub_->GetSession(Ctx().get(), get, &session).ok());
  ASSERT_EQ(session.transcript_size(), 3);  // greeting, message, answer
  EXPECT_EQ(session.transcript(0).author(), v1::TranscriptEntry::BOT);
  EXPECT_EQ(session.transcript(1).author(), v1::TranscriptEntry::PERSON);
  EXPECT_EQ(session.transcript(1).text(), "faccio la segretaria da 3 anni");
  EXPECT_EQ(session.transcript(1).turn(), 1);
  EXPECT_THAT(session.transcript(2).text(),
              ::testing::StartsWith(r.turn().messages(0).text()));
  // The test server keeps sessions in memory: 30 minutes by default.
  EXPECT_EQ(session.expire_time_unix() - session.update_time_unix(), 30 * 60);
  // Erasing the data empties the transcript: only the bot's answer to the
  // erase stays, so that a person coming back sees where things stand.
  ASSERT_TRUE(Say(s, "cancella i miei dati", &r).ok());
  ASSERT_TRUE(stub_->GetSession(Ctx().get(), get, &session).ok());
  ASSERT_EQ(session.transcript_size(), 1);
  EXPECT_EQ(session.transcript(0).author(), v1::TranscriptEntry::BOT);
  EXPECT_THAT(session.transcript(0).text(),
              ::testing::Not(HasSubstr("segretaria")));
}

// The google.rpc details of an error: reason, field at fault, retry delay.
struct Details {
  std::string reason, domain, field;
  bool retry = false;
};
Details DetailsOf(const grpc::Status& status) {
  Details d;
  google::rpc::Status rich;
  EXPECT_TRUE(rich.ParseFromString(status.error_details()));
  EXPECT_EQ(rich.code(), static_cast<int>(status.error_code()));
  for (const auto& any : rich.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&info)) {
      d.reason = info.reason();
      d.domain = info.domain();
    } else if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      d.field = bad.field_violations(0).field();
    } else if (any.UnpackTo(&retry)) {
      d.retry = true;
    }
  }
  return d;
}

TEST_F(ServerTest, ErrorsCarryMachineReadableDetails) {
  v1::ConverseResponse r;
  Details d = DetailsOf(Say("s-nobody", "ciao", &r));
  EXPECT_EQ(d.reason, "SESSION_NOT_FOUND");
  EXPECT_EQ(d.domain, "dirigo.v1");
  EXPECT_EQ(d.field, "session");
  std::string s = NewSession();
  d = DetailsOf(Say(s, std::string(5000, 'a'), &r));
  EXPECT_EQ(d.reason, "MESSAGE_INVALID");
  EXPECT_EQ(d.field, "text");
  ASSERT_TRUE(Say(s, "ciao", &r, "k").ok());
  d = DetailsOf(Say(s, "altro", &r, "k"));
  EXPECT_EQ(d.reason, "REQUEST_ID_REUSED");
  EXPECT_EQ(d.field, "request_id");
  v1::AdviseRequest advise;
  advise.mutable_profile()->set_years_experience(500);
  v1::AdviseResponse advice;
  d = DetailsOf(stub_->Advise(Ctx().get(), advise, &advice));
  EXPECT_EQ(d.reason, "PROFILE_INVALID");
  EXPECT_EQ(d.field, "profile.yearsExperience");
}

TEST_F(ServerTest, TraceCanBeLeftOut) {
  std::string s = NewSession();
  v1::ConverseRequest req;
  req.set_session(s);
  req.set_text("ho la triennale in economia");
  req.set_omit_trace(true);
  v1::ConverseResponse r;
  ASSERT_TRUE(stub_->Converse(Ctx().get(), req, &r).ok());
  EXPECT_FALSE(r.turn().has_trace());
  EXPECT_EQ(r.turn().profile().education_level(), v1::EDUCATION_LEVEL_BACHELOR);
}

TEST_F(ServerTest, HealthAnswersForTheServiceByName) {
  auto health = grpc::health::v1::Health::NewStub(server_->channel());
  for (const char* name : {"", "dirigo.v1.Advisor"}) {
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(name);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(Ctx().get(), req, &resp).ok()) << name;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

// A raw frame on a stream: the stream goes on after a bad one.
TEST_F(ServerTest, StreamAnswersBadFramesOneByOne) {
  std::string s = NewSession();
  grpc::GenericStub generic(server_->channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  auto call =
      generic.PrepareCall(&ctx, "/dirigo.v1.Advisor/StreamConverse", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  auto send_and_read = [&](const std::string& wire) {
    grpc::Slice slice(wire);
    grpc::ByteBuffer out(&slice, 1), in;
    call->Write(out, reinterpret_cast<void*>(2));
    EXPECT_TRUE(cq.Next(&tag, &ok) && ok);
    call->Read(&in, reinterpret_cast<void*>(3));
    EXPECT_TRUE(cq.Next(&tag, &ok) && ok);
    std::vector<grpc::Slice> slices;
    (void)in.Dump(&slices);
    std::string bytes;
    for (auto& sl : slices)
      bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    v1::ConverseResponse resp;
    EXPECT_TRUE(resp.ParseFromString(bytes));
    return resp;
  };
  v1::ConverseRequest req;
  req.set_session(s);
  req.set_request_id("q1");
  std::string bad_text = req.SerializeAsString() + "\x12\x03\xff\xfe\x41";
  v1::ConverseResponse r = send_and_read(bad_text);
  EXPECT_EQ(r.error().code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(r.error().message(), HasSubstr("text is not valid UTF-8"));
  EXPECT_EQ(r.error().reason(), "NOT_UTF8");
  EXPECT_EQ(r.request_id(), "q1");
  r = send_and_read("\xff\xff\xff\xff");
  EXPECT_THAT(r.error().message(), HasSubstr("malformed protobuf"));
  req.set_text(std::string(200 * 1024, 'a'));
  r = send_and_read(req.SerializeAsString());
  EXPECT_THAT(r.error().message(), HasSubstr("too long"));
  req.set_text("ho il diploma");
  r = send_and_read(req.SerializeAsString());
  EXPECT_EQ(r.turn().profile().education_level(),
            v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  call->WritesDone(reinterpret_cast<void*>(4));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(ServerTest, BytesThatAreNoRequestGetAClearError) {
  // Every method, sent bytes that are no protobuf message at all.
  grpc::GenericStub generic(server_->channel());
  for (const char* method : {"CreateSession", "Converse", "GetSession",
                             "DeleteSession", "Advise", "GetClientTexts"}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::CompletionQueue cq;
    grpc::Slice slice(std::string("\xff\xff\xff\xff"));
    grpc::ByteBuffer request(&slice, 1), response;
    auto call = generic.PrepareUnaryCall(
        &ctx, absl::StrCat("/dirigo.v1.Advisor/", method), request, &cq);
    call->StartCall();
    grpc::Status status;
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    ASSERT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << method;
    EXPECT_THAT(status.error_message(),
                HasSubstr(absl::StrCat("is not a dirigo.v1.")))
        << method;
    EXPECT_THAT(status.error_message(), HasSubstr("malformed protobuf"));
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
  }
}

TEST_F(ServerTest, InvalidUtf8OnTheWireIsRefused) {
  // A client that bypasses its own protobuf checks and sends raw bytes.
  std::string s = NewSession();
  v1::ConverseRequest req;
  req.set_session(s);
  std::string wire = req.SerializeAsString();
  std::string bad = "ho \xff una laurea";
  wire += '\x12';  // field 2 (text), length-delimited
  wire += static_cast<char>(bad.size());
  wire += bad;
  grpc::GenericStub generic(server_->channel());
  grpc::Slice slice(wire);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&ctx, "/dirigo.v1.Advisor/Converse", grpc::StubOptions(),
                    &request, &response, [&](grpc::Status st) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = st;
                      done = true;
                      cv.notify_one();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("text is not valid UTF-8"));
  v1::ConverseResponse r;
  EXPECT_TRUE(Say(s, "ho una laurea", &r).ok());
}

TEST_F(ServerTest, ReflectionListsTheServices) {
  auto stub =
      grpc::reflection::v1alpha::ServerReflection::NewStub(server_->channel());
  auto ctx = Ctx();
  auto stream = stub->ServerReflectionInfo(ctx.get());
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::vector<std::string> names;
  for (const auto& s : resp.list_services_response().service())
    names.push_back(s.name());
  EXPECT_THAT(names, testing::IsSupersetOf(
                         {"dirigo.v1.Advisor", "grpc.health.v1.Health"}));
  stream->WritesDone();
  stream->Finish();
}

TEST(ServerLifecycleTest, StopsGracefullyOnSigterm) {
  dirigo::test_support::ServerProcess server(DIRIGO_SERVER_BIN);
  ASSERT_TRUE(server.ready());
  EXPECT_EQ(server.Stop(), 0);
}

// A stream that stops sending, or sends for ever, is ended with a status
// that says why and what to do; the conversation itself goes on.
TEST(ServerLimitsTest, StreamsAreBoundedInIdleTimeAndMessages) {
  dirigo::test_support::ServerProcess server(
      DIRIGO_SERVER_BIN,
      {"--stream_idle_timeout=1s", "--stream_max_messages=3"});
  ASSERT_TRUE(server.ready());
  auto stub = v1::Advisor::NewStub(server.channel());
  grpc::ClientContext create_ctx;
  v1::CreateSessionRequest create;
  v1::CreateSessionResponse created;
  ASSERT_TRUE(stub->CreateSession(&create_ctx, create, &created).ok());
  v1::ConverseRequest req;
  req.set_session(created.session().name());
  v1::ConverseResponse resp;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    auto stream = stub->StreamConverse(&ctx);
    for (const char* text : {"ciao", "ho il diploma", "faccio la commessa"}) {
      req.set_text(text);
      ASSERT_TRUE(stream->Write(req));
      ASSERT_TRUE(stream->Read(&resp)) << text;
    }
    req.set_text("da 3 anni");
    stream->Write(req);  // may already fail: the server ended the stream
    EXPECT_FALSE(stream->Read(&resp));
    grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(s.error_message(), HasSubstr("open a new one"));
  }
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    auto stream = stub->StreamConverse(&ctx);
    req.set_text("da 3 anni");
    ASSERT_TRUE(stream->Write(req));
    ASSERT_TRUE(stream->Read(&resp));
    EXPECT_EQ(resp.turn().profile().years_experience(), 3)
        << "a new stream goes on with the same conversation";
    // Then silence: the server ends the stream after a second, not the
    // 30 s deadline.
    EXPECT_FALSE(stream->Read(&resp));
    grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    EXPECT_THAT(s.error_message(), HasSubstr("no message for 1s"));
  }
}

// A cap on the streams open at once: beyond, a new one ends at once, saying
// why; once one closes, there is room again.
TEST(ServerLimitsTest, StreamsOpenAtOnceAreCapped) {
  dirigo::test_support::ServerProcess server(DIRIGO_SERVER_BIN,
                                             {"--max_streams=2"});
  ASSERT_TRUE(server.ready());
  auto stub = v1::Advisor::NewStub(server.channel());
  grpc::ClientContext create_ctx;
  v1::CreateSessionResponse created;
  ASSERT_TRUE(
      stub->CreateSession(&create_ctx, v1::CreateSessionRequest(), &created)
          .ok());
  v1::ConverseRequest req;
  req.set_session(created.session().name());
  req.set_text("ciao");
  v1::ConverseResponse resp;
  grpc::ClientContext a_ctx, b_ctx, c_ctx;
  auto a = stub->StreamConverse(&a_ctx);
  auto b = stub->StreamConverse(&b_ctx);
  for (auto* s : {a.get(), b.get()}) {
    ASSERT_TRUE(s->Write(req));
    ASSERT_TRUE(s->Read(&resp)) << "the first two streams are open";
  }
  auto c = stub->StreamConverse(&c_ctx);
  c->Write(req);
  EXPECT_FALSE(c->Read(&resp));
  grpc::Status refused = c->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("maximum of 2 streams"));
  a->WritesDone();
  EXPECT_TRUE(a->Finish().ok());
  // The server forgets a stream just after its client has seen it end.
  bool room = false;
  for (int i = 0; i < 100 && !room; ++i) {
    grpc::ClientContext d_ctx;
    auto d = stub->StreamConverse(&d_ctx);
    room = d->Write(req) && d->Read(&resp);
    d->WritesDone();
    d->Finish();
    if (!room) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(room) << "a closed stream makes room";
  b->WritesDone();
  b->Finish();
}

// Health says NOT_SERVING while calls wait for a stuck worker, though the
// store answers: here the one worker waits on a SQLite file another program
// holds locked. Once it lets go, SERVING again.
TEST(ServerHealthTest, StuckWorkersMakeHealthNotServing) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("dirigo-stall-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "dirigo.db").string();
  dirigo::test_support::ServerProcess server(
      DIRIGO_SERVER_BIN,
      {"--store=sqlite:" + db, "--workers=1", "--stall_timeout=1s"});
  ASSERT_TRUE(server.ready());
  auto stub = v1::Advisor::NewStub(server.channel());
  auto health = grpc::health::v1::Health::NewStub(server.channel());
  auto status = [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(2));
    grpc::health::v1::HealthCheckResponse resp;
    health->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &resp);
    return resp.status();
  };
  // A bound on waiting, not a measure of speed: a sanitizer build on a busy
  // machine may take many seconds over the three turns.
  auto wait_for = [&](grpc::health::v1::HealthCheckResponse::ServingStatus s) {
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      if (status() == s) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  grpc::ClientContext create_ctx;
  v1::CreateSessionResponse created;
  ASSERT_TRUE(
      stub->CreateSession(&create_ctx, v1::CreateSessionRequest(), &created)
          .ok());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::vector<std::thread> turns;
  for (int i = 0; i < 3; ++i) {
    turns.emplace_back([&] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
      v1::ConverseRequest req;
      req.set_session(created.session().name());
      req.set_text("ho il diploma");
      v1::ConverseResponse resp;
      stub->Converse(&ctx, req, &resp);
    });
  }
  EXPECT_TRUE(wait_for(grpc::health::v1::HealthCheckResponse::NOT_SERVING))
      << "turns wait for the one worker";
  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  for (auto& t : turns) t.join();
  EXPECT_TRUE(wait_for(grpc::health::v1::HealthCheckResponse::SERVING));
  EXPECT_THAT(server.log(), HasSubstr("calls have waited for a worker"));
  std::filesystem::remove_all(dir);
}

// Rates: a flood on one conversation, or of new conversations from one
// caller, is refused with the wait, in the message and a trailer.
TEST(ServerLimitsTest, RatesPerConversationAndPerCaller) {
  dirigo::test_support::ServerProcess server(
      DIRIGO_SERVER_BIN,
      {"--session_messages_per_second=0.5", "--caller_sessions_per_minute=2"});
  ASSERT_TRUE(server.ready());
  auto stub = v1::Advisor::NewStub(server.channel());
  std::vector<std::string> names;
  grpc::Status refused;
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext ctx;
    v1::CreateSessionRequest create;
    v1::CreateSessionResponse created;
    grpc::Status st = stub->CreateSession(&ctx, create, &created);
    if (st.ok())
      names.push_back(created.session().name());
    else
      refused = st;
  }
  ASSERT_EQ(names.size(), 2u) << "two new conversations a minute, at once";
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("new conversations"));
  // One conversation: a burst of one (0.5 a second), then a wait.
  v1::ConverseRequest say;
  say.set_session(names[0]);
  say.set_text("ho il diploma");
  v1::ConverseResponse turn;
  {
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->Converse(&ctx, say, &turn).ok());
  }
  grpc::ClientContext ctx;
  say.set_text("faccio la commessa");
  grpc::Status st = stub->Converse(&ctx, say, &turn);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(st.error_message(), HasSubstr("messages on one conversation"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(st.error_details()));
  bool rate_limited = false;
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) rate_limited = info.reason() == "RATE_LIMITED";
  }
  EXPECT_TRUE(rate_limited);
  auto trailer = ctx.GetServerTrailingMetadata().find("retry-after-ms");
  ASSERT_NE(trailer, ctx.GetServerTrailingMetadata().end());
  int wait_ms = 0;
  EXPECT_TRUE(absl::SimpleAtoi(
      absl::string_view(trailer->second.data(), trailer->second.size()),
      &wait_ms));
  EXPECT_GT(wait_ms, 0);
  EXPECT_LE(wait_ms, 2000);
  // On a stream, the refused message's error says the wait too.
  {
    grpc::ClientContext stream_ctx;
    auto stream = stub->StreamConverse(&stream_ctx);
    ASSERT_TRUE(stream->Write(say));
    v1::ConverseResponse answer;
    ASSERT_TRUE(stream->Read(&answer));
    EXPECT_EQ(answer.error().reason(), "RATE_LIMITED");
    EXPECT_GT(answer.error().retry_after_ms(), 0);
    EXPECT_LE(answer.error().retry_after_ms(), 2000);
    stream->WritesDone();
    stream->Finish();
  }
  // Another conversation is not held up by this one.
  say.set_session(names[1]);
  grpc::ClientContext other;
  EXPECT_TRUE(stub->Converse(&other, say, &turn).ok());
}

// A cap on the live conversations one caller holds: a caller that fills it
// is refused, with the wait; another caller is not; a deleted conversation
// gives its place back.
TEST(ServerLimitsTest, LiveConversationsPerCaller) {
  const std::string tokens =
      ::testing::TempDir() + "/quota-tokens-" + std::to_string(getpid());
  {
    std::ofstream out(tokens);
    out << "alpha " << Sha256Hex("alpha-secret") << "\n"
        << "beta " << Sha256Hex("beta-secret") << "\n";
  }
  dirigo::test_support::ServerProcess server(
      DIRIGO_SERVER_BIN,
      {"--auth_tokens_file=" + tokens, "--caller_max_sessions=3"});
  ASSERT_TRUE(server.ready());
  auto stub = v1::Advisor::NewStub(server.channel());
  auto create = [&](const std::string& token, grpc::ClientContext* ctx,
                    std::string* name) {
    ctx->AddMetadata("authorization", "Bearer " + token);
    v1::CreateSessionResponse created;
    grpc::Status st =
        stub->CreateSession(ctx, v1::CreateSessionRequest(), &created);
    *name = created.session().name();
    return st;
  };
  std::vector<std::string> names(3);
  for (std::string& name : names) {
    grpc::ClientContext ctx;
    ASSERT_TRUE(create("alpha-secret", &ctx, &name).ok());
  }
  grpc::ClientContext refused_ctx;
  std::string name;
  grpc::Status refused = create("alpha-secret", &refused_ctx, &name);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("maximum of 3 live conversations"));
  auto trailer = refused_ctx.GetServerTrailingMetadata().find("retry-after-ms");
  ASSERT_NE(trailer, refused_ctx.GetServerTrailingMetadata().end());
  {
    grpc::ClientContext ctx;
    EXPECT_TRUE(create("beta-secret", &ctx, &name).ok()) << "another caller";
  }
  grpc::ClientContext delete_ctx;
  delete_ctx.AddMetadata("authorization", "Bearer alpha-secret");
  v1::DeleteSessionRequest del;
  del.set_session(names[1]);
  v1::DeleteSessionResponse deleted;
  ASSERT_TRUE(stub->DeleteSession(&delete_ctx, del, &deleted).ok());
  grpc::ClientContext again;
  EXPECT_TRUE(create("alpha-secret", &again, &name).ok());
  std::remove(tokens.c_str());
}

// With API tokens: no call without one, and a session is its creator's
// token's only (another token meets it as one that is not there).
TEST(ServerAuthTest, TokensGuardEveryCallAndEverySession) {
  const std::string tokens =
      ::testing::TempDir() + "/tokens-" + std::to_string(getpid());
  {
    std::ofstream out(tokens);
    // SHA-256 of "alpha-secret" and of "beta-secret".
    out << "# test tokens\n"
        << "alpha " << Sha256Hex("alpha-secret") << "\n"
        << "beta " << Sha256Hex("beta-secret") << "\n";
  }
  dirigo::test_support::ServerProcess server(DIRIGO_SERVER_BIN,
                                             {"--auth_tokens_file=" + tokens});
  ASSERT_TRUE(server.ready()) << "health answers without a token";
  auto stub = v1::Advisor::NewStub(server.channel());
  auto ctx = [](const std::string& token) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(10));
    if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
    return c;
  };
  v1::CreateSessionRequest create;
  v1::CreateSessionResponse created;
  grpc::Status st = stub->CreateSession(ctx("").get(), create, &created);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(st.error_message(), HasSubstr("authorization: Bearer"));
  st = stub->CreateSession(ctx("gamma-secret").get(), create, &created);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(
      stub->CreateSession(ctx("alpha-secret").get(), create, &created).ok());
  const std::string name = created.session().name();
  v1::ConverseRequest say;
  say.set_session(name);
  say.set_text("ho il diploma");
  v1::ConverseResponse turn;
  EXPECT_TRUE(stub->Converse(ctx("alpha-secret").get(), say, &turn).ok());
  // Another token: the session is not there for it, whatever the call.
  EXPECT_EQ(stub->Converse(ctx("beta-secret").get(), say, &turn).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::GetSessionRequest get;
  get.set_session(name);
  v1::Session session;
  EXPECT_EQ(
      stub->GetSession(ctx("beta-secret").get(), get, &session).error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::DeleteSessionRequest del;
  del.set_session(name);
  v1::DeleteSessionResponse deleted;
  EXPECT_EQ(
      stub->DeleteSession(ctx("beta-secret").get(), del, &deleted).error_code(),
      grpc::StatusCode::NOT_FOUND);
  // Its owner still has it whole.
  ASSERT_TRUE(stub->GetSession(ctx("alpha-secret").get(), get, &session).ok());
  EXPECT_EQ(session.profile().education_level(),
            v1::EDUCATION_LEVEL_SECONDARY_OR_LESS);
  // A stream without a token ends at once, and says why.
  grpc::ClientContext stream_ctx;
  auto stream = stub->StreamConverse(&stream_ctx);
  stream->Write(say);
  EXPECT_FALSE(stream->Read(&turn));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Tokens are never written to the log.
  EXPECT_THAT(server.log(), ::testing::Not(HasSubstr("alpha-secret")));
  std::remove(tokens.c_str());
}

TEST(ServerLifecycleTest, RefusesABadKnowledgeBaseAtStart) {
  dirigo::test_support::ServerProcess server(DIRIGO_SERVER_BIN,
                                             {"--kb=/nonexistent"});
  EXPECT_FALSE(server.ready());
}

}  // namespace
}  // namespace dirigo
