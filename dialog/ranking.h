// How competing matches are ranked: declared once, here.
//
// Two matches compete when they overlap in the message and speak of the same
// slot, or when one of them only carries an intent. The winner is the one
// that outranks the other, by this key, in order:
//   1. the higher priority (the rule's band, then its rank in the band);
//   2. the longer match;
//   3. the earlier match;
//   4. the smaller rule id (so that no file order ever decides).
// Matches are read, and traced, in reading order: position, then rule id.
//
// Thread-safe: the functions keep no state.
#ifndef DIRIGO_DIALOG_RANKING_H_
#define DIRIGO_DIALOG_RANKING_H_

#include "dialog/interpretation.h"

namespace dirigo {

// Whether `a` wins over `b` when they compete.
bool Outranks(const Match& a, const Match& b);

// Whether `a` comes before `b` in reading order.
bool ReadsBefore(const Match& a, const Match& b);

// Whether `a` and `b` compete: they overlap, and they speak of the same slot
// (set or absorbed) or one of them only carries an intent.
bool Compete(const Match& a, const Match& b);

}  // namespace dirigo

#endif  // DIRIGO_DIALOG_RANKING_H_
