#pragma once

// "Did you mean …?" for a name the user mistyped: the candidate nearest to `typed` by edit
// distance (Levenshtein: insertions, deletions and substitutions, case ignored), or one that
// `typed` begins (a name given without its suffix, "tiny" for "tiny-q8_0"). Empty when none is
// near enough: at most a third of the longer name's length edits, and at least one.

#include <QString>
#include <QStringList>

namespace bioforge::core {

QString closestMatch(const QString& typed, const QStringList& candidates);

// " (did you mean 'NAME'?)" for closestMatch, or empty: appended to a "no such …" message.
QString didYouMean(const QString& typed, const QStringList& candidates);

} // namespace bioforge::core
