#pragma once

// A run's title as the user gives it (`run … --title T`, the run dialog): one line
// of text shown in `runs`, the Jobs dock and the report.

#include "util/expected.h"

#include <QString>

namespace bioforge::core {

/// The title to record: `title` itself, or empty (the run is then named by its plugin, verb and
/// inputs) when it is blank. Error (Kind::Invalid) naming the character and its position (1-based)
/// for a control character or line/paragraph separator (a line break made two rows of `runs`, an
/// escape sequence coloured or cleared the terminal), a bidirectional override or isolate
/// (U+202A–U+202E, U+2066–U+2069: the "Trojan Source" reordering of what follows on a line), or a
/// byte that was not UTF-8 (an unpaired surrogate, as core::decodeArgument keeps such a byte).
Expected<QString> checkRunTitle(const QString& title);

} // namespace bioforge::core
