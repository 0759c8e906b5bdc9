#pragma once

// The warnings of the ESM-2 tokenizer as a run reports them: a protein piece
// the alphabet does not know (read as <unk>), each once, the first
// kTokenizerWarningsShown of them, then one line counting the rest. A cluster
// run's merge rebuilds the same lines from its shards' (shard_merge.h).

#include <QString>
#include <QStringList>

namespace bioforge::viral {

inline constexpr qsizetype kTokenizerWarningsShown = 20;

// "protein piece 'J' is not in the ESM alphabet: it was read as <unk>"
QString unknownPieceWarning(const QString& piece);
bool isUnknownPieceWarning(const QString& warning);

// The lines a run reports for these distinct warnings: the first kTokenizerWarningsShown, then
// "… and N more warnings of the tokenizer" when there are more. `hidden` adds warnings counted but
// not listed (shards' own "… and N more"); when they may repeat listed ones or each other (several
// shards), `hiddenMayRepeat` makes the line say "at most".
QStringList tokenizerWarningLines(const QStringList& distinct, qint64 hidden = 0, bool hiddenMayRepeat = false);

// N of a "… and N more warnings of the tokenizer" line (with or without "at most"); -1 for any other text.
qint64 hiddenTokenizerWarnings(const QString& warning);

} // namespace bioforge::viral
