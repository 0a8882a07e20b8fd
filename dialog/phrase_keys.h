// The bot's own phrases the engine says, by their key in the knowledge base
// (knowledge/<locale>/phrases.textproto): the contract between the engine and
// a knowledge base. The list below is the only place the keys are written:
// each becomes a constant (phrase::kAck) and an entry of kAllPhraseKeys,
// which Engine::Create requires the knowledge base to have.
#ifndef DIRIGO_DIALOG_PHRASE_KEYS_H_
#define DIRIGO_DIALOG_PHRASE_KEYS_H_

namespace dirigo {

// X(constant, key): every phrase, with when it is said.
#define DIRIGO_PHRASE_KEYS(X)                                                  \
  X(kGreeting, "greeting")        /* the first turn */                         \
  X(kWelcomeBack, "welcome_back") /* a person back in their conversation */    \
  X(kAck, "ack")                  /* new facts said back: {facts} */           \
  X(kUpdate, "update")            /* known facts changed: {facts} */           \
  X(kTakenBack, "taken_back")     /* a fact taken back */                      \
  X(kResume, "resume")            /* the question again: {question} */         \
  X(kStillAsking, "still_asking") /* facts, not the one asked: {question} */   \
  X(kRefine, "refine")            /* a question after the plan */              \
  X(kNotUnderstood, "not_understood") /* nothing understood, nothing asked */  \
  X(kSkipSlot, "skip_slot")           /* a question given up */                \
  X(kPlanIntro, "plan_intro")         /* before the whole plan */              \
  X(kAdviceEarly, "advice_early")     /* before a plan asked for early */      \
  X(kPlanOutro, "plan_outro")         /* after the plan */                     \
  X(kPlanNone, "plan_none")           /* no advice yet */                      \
  X(kPlanChanged, "plan_changed")     /* before new steps */                   \
  X(kPlanUnchanged, "plan_unchanged") /* new facts, the same plan */           \
  X(kPlanRemoved, "plan_removed")     /* a step dropped: {title} */            \
  X(kPlanRest, "plan_rest")           /* after a change: the rest holds */     \
  X(kPlanRenumbered, "plan_renumbered") /* the whole plan after a drop */      \
  X(kDenyAck, "deny_ack")               /* "non mi interessa…" */            \
  X(kGoodbyeReply, "goodbye_reply")     /* "arrivederci" */                    \
  X(kOfftopicReply, "offtopic_reply")   /* what the guide does not cover */    \
  X(kExplainIntro, "explain_intro")     /* "perché il punto {n}?" */          \
  X(kExplainBecause, "explain_because") /* "perché il punto {n}?": {facts} */ \
  X(kExplainStep, "explain_step")     /* the step again: {n} {title} {text} */ \
  X(kExplainNone, "explain_none")     /* no step {n} */                        \
  X(kProfileIntro, "profile_intro")   /* before what the bot knows */          \
  X(kProfileEmpty, "profile_empty")   /* it knows nothing yet */               \
  X(kProfileWords, "profile_words")   /* the person's {words} for a fact */    \
  X(kErased, "erased")                /* after "cancella i miei dati" */       \
  X(kRestarted, "restarted")          /* after "ricominciamo" */               \
  X(kHelp, "help")                    /* "aiuto" */                            \
  X(kWhyGeneric, "why_generic")       /* "perché?" with no question asked */  \
  X(kGreetingReply, "greeting_reply") /* "ciao" */                             \
  X(kThanksReply, "thanks_reply")     /* "grazie" */                           \
  X(kIntroHeading, "intro_heading")   /* the untitled opening's heading */     \
  X(kDontknowAck, "dontknow_ack")     /* "non so" */                           \
  X(kAgeAck, "age_ack")               /* an age, which the advice ignores */   \
  X(kClosestPassage, "closest_passage") /* before the nearest passage */       \
  X(kNothingMore, "nothing_more") /* every close passage already quoted */     \
  X(kPlanSummary, "plan_summary") /* before the plan by its titles */          \
  X(kNotRelevant, "not_relevant") /* "cosa c'entra?" after an answer */        \
  X(kBlank, "blank")              /* a message with no words at all */

namespace phrase {
#define DIRIGO_PHRASE_CONSTANT(name, key) inline constexpr char name[] = key;
DIRIGO_PHRASE_KEYS(DIRIGO_PHRASE_CONSTANT)
#undef DIRIGO_PHRASE_CONSTANT
}  // namespace phrase

#define DIRIGO_PHRASE_ENTRY(name, key) key,
inline constexpr const char* kAllPhraseKeys[] = {
    DIRIGO_PHRASE_KEYS(DIRIGO_PHRASE_ENTRY)};
#undef DIRIGO_PHRASE_ENTRY

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_PHRASE_KEYS_H_
