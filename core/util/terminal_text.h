#pragma once

// Text from a file or a model, made safe to print on a terminal.

#include <QString>

namespace bioforge::core {

// `text` as a terminal is to show it, never obey it: the C0 controls other than newline and tab
// (ESC, BEL, backspace, CR, NUL …) become their pictures from Unicode's Control Pictures block
// (U+2400 + code: ESC is U+241B "␛"), DEL becomes U+2421 "␡", and the C1 controls U+0080–U+009F
// "<U+009B>". Escape sequences (ECMA-48) in a model's reply or a file's metadata would otherwise
// colour, move or clear the terminal, or forge lines. Everything else, surrogate pairs included,
// is kept.
QString shownOnTerminal(const QString& text);

// Whether standard output is a terminal (isatty(3)).
bool stdoutIsTerminal();

} // namespace bioforge::core
