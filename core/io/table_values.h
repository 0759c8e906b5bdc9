#pragma once

// Cell values of tables as people make them: what R (`na.strings`), pandas
// (`na_values`) and spreadsheets write for a missing value, and numbers in
// the C form or, in a semicolon-separated table, with a decimal comma (R's
// read.csv2, pandas' decimal=",", a European spreadsheet's CSV), where the
// comma cannot be a field separator. Shared by every plugin that reads a
// table or a list.

#include <QChar>
#include <QString>

#include <optional>

namespace bioforge::core {

// `text` without the zero-width characters a copy from a web page or Word brings along (U+200B
// zero-width space, U+200C/D joiners, U+2060 word joiner, U+FEFF byte-order mark mid-text).
QString withoutZeroWidth(const QString& text);

// `trimmed` is empty, NA, na, N/A, n/a, NaN, nan, NULL, null, None, #N/A (Excel's), - or . .
bool isMissingValueText(const QString& trimmed);

// `trimmed` as a number: the C form ("93.5", "-1e-3", "+4", "77."), or, where `delimiter` is ';',
// one decimal comma in place of the point ("93,5", "-0,72", "1,5e-3"; *decimalComma set when
// given). A thousands separator is never taken ("1,200" in a comma table is not a number here;
// in a semicolon table it is 1.2, as read.csv2 reads it). nullopt for anything else; infinities
// and NaN are numbers to this function (the caller checks finiteness).
std::optional<double> parseTableNumber(const QString& trimmed, QChar delimiter, bool* decimalComma = nullptr);

} // namespace bioforge::core
