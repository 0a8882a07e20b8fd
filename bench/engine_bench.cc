// In-process figures for the engine: normalisation, the one-pass pattern set,
// a whole turn, and stateless advice. Run with `make bench`.
#include <benchmark/benchmark.h>

#include "dialog/engine.h"

namespace {

std::shared_ptr<const dirigo::Engine> NewEngine();

std::shared_ptr<const dirigo::KnowledgeBase> Kb() {
  static auto kb = [] {
    auto loaded = dirigo::KnowledgeBase::LoadDirectory(DIRIGO_BENCH_KB_DIR, {});
    if (!loaded.ok()) std::abort();
    return *loaded;
  }();
  return kb;
}

std::shared_ptr<const dirigo::Engine> NewEngine() {
  auto engine = dirigo::Engine::Create(Kb());
  if (!engine.ok()) std::abort();
  return *engine;
}

const char* kSentence =
    "Ciao, ho la triennale in economia e faccio la segretaria da tre anni, "
    "non ho mai gestito persone ma mi piacerebbe lavorare nelle risorse umane";

void BM_LoadKnowledgeBase(benchmark::State& state) {
  for (auto _ : state) {
    auto kb = dirigo::KnowledgeBase::LoadDirectory(DIRIGO_BENCH_KB_DIR, {});
    benchmark::DoNotOptimize(kb);
  }
}
BENCHMARK(BM_LoadKnowledgeBase)->Unit(benchmark::kMillisecond);

void BM_Normalize(benchmark::State& state) {
  auto kb = Kb();
  for (auto _ : state)
    benchmark::DoNotOptimize(kb->NormalizeMessage(kSentence));
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(strlen(kSentence)));
}
BENCHMARK(BM_Normalize);

void BM_PatternSetPass(benchmark::State& state) {
  auto kb = Kb();
  std::string text = kb->NormalizeMessage(kSentence)->text;
  for (auto _ : state) benchmark::DoNotOptimize(kb->Candidates(text));
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_PatternSetPass);

// A turn on a message of N bytes: the cost must grow linearly.
void BM_Turn(benchmark::State& state) {
  auto engine = NewEngine();
  std::string text;
  while (text.size() + strlen(kSentence) + 1 <=
         static_cast<size_t>(state.range(0))) {
    text += kSentence;
    text += ' ';
  }
  for (auto _ : state) {
    dirigo::session::v1::DialogState s;
    engine->Start(&s);
    benchmark::DoNotOptimize(engine->Respond(text, &s));
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Turn)->Arg(160)->Arg(500)->Arg(2000);

// The speller's worst case: a message of made-up eight-letter words, none
// known, each close to nothing. It must cost about what a normal turn costs.
void BM_TurnMadeUpWords(benchmark::State& state) {
  auto engine = NewEngine();
  std::string text;
  uint32_t seed = 12345;
  while (text.size() + 9 <= static_cast<size_t>(state.range(0))) {
    for (int i = 0; i < 8; ++i) {
      seed = seed * 1103515245 + 12345;
      text += static_cast<char>('a' + (seed >> 16) % 26);
    }
    text += ' ';
  }
  for (auto _ : state) {
    dirigo::session::v1::DialogState s;
    engine->Start(&s);
    benchmark::DoNotOptimize(engine->Respond(text, &s));
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_TurnMadeUpWords)->Arg(2000)->Unit(benchmark::kMillisecond);

void BM_Advise(benchmark::State& state) {
  auto engine = NewEngine();
  dirigo::v1::Profile p;
  p.set_education_level(dirigo::v1::EDUCATION_LEVEL_BACHELOR);
  p.add_experience(dirigo::v1::EXPERIENCE_KIND_ADMIN_ENTRY_LEVEL);
  p.set_leads_people(false);
  for (auto _ : state) benchmark::DoNotOptimize(engine->Advise(p));
}
BENCHMARK(BM_Advise);

}  // namespace

BENCHMARK_MAIN();
