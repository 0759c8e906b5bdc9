// A column mapping from JSON for the age table tests, and the mapping most of them read with.
#pragma once

#include "schema/biomarker_schema.h"
#include "table/column_mapping.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtGlobal>

namespace bioforge::test {

/// The mapping \p json (bioforge-age-mapping/1) read against the built-in schema; a mapping the
/// test writes wrongly stops the test binary with the reason.
inline age::ColumnMapping ageMapping(const QByteArray& json)
{
    auto m = age::ColumnMapping::fromJson(QJsonDocument::fromJson(json).object(), age::BiomarkerSchema::builtIn(), QStringLiteral("test mapping"));
    if (!m)
        qFatal("%s", qPrintable(m.error().message()));
    return *m;
}

/// person, age, sex (M/1, F/2), years_followed, dead (yes/no); albumin g/dL, creatinine mg/dL,
/// HbA1c mmol/mol, and GGT in a column no test table holds.
inline QByteArray kTestMapping()
{
    return R"({"format": "bioforge-age-mapping/1", "id": {"column": "person"}, "age": {"column": "age"},
               "sex": {"column": "sex", "male": ["M", "1"], "female": ["F", "2"]},
               "followup": {"column": "years_followed", "unit": "years"}, "event": {"column": "dead", "yes": ["yes"], "no": ["no"]},
               "biomarkers": {"albumin": {"column": "alb", "unit": "g/dL"}, "creatinine": {"column": "creat", "unit": "mg/dL"},
                              "hba1c": {"column": "a1c", "unit": "mmol/mol"}, "ggt": {"column": "ggt_not_in_table", "unit": "U/L"}}})";
}

} // namespace bioforge::test
