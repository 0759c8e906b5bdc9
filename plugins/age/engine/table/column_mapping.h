#pragma once

// How a cohort table's columns map to what the age plugin reads: the id,
// chronological age, sex (which codes mean male and female), pregnancy,
// follow-up time and death, and each biomarker (our name -> the table's
// column and its unit). JSON, format "bioforge-age-mapping/1"; the one for
// the NHANES tables as BioAge distributes them ships as a resource
// (resources/age/mappings/nhanes-bioage.json, name "nhanes-bioage").

#include "schema/biomarker_schema.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace bioforge::age {

struct CodedColumn {
    QString column;     // empty: not in the table
    QStringList yes, no; // codes (for sex: yes = male, no = female)

    /// Which side \p code (a trimmed cell) is: 1 a yes code, 0 a no code, -1 neither. Matched as
    /// written, else in any case where only one side fits ("f" for "F", "Yes" for "yes"), else a
    /// number by its value ("1.0" for 1); a code of both sides so is neither.
    int side(const QString& code) const;
};

struct MarkerColumn {
    QString column;
    QString unit;
    UnitConversion toCanonical;
};

struct ColumnMapping {
    QString name;
    QString idColumn;
    QString ageColumn;
    double ageToYears = 1.0;      // "years" or "months"
    CodedColumn sex;              // yes = male codes, no = female codes
    CodedColumn pregnant;
    QString followupColumn;
    double followupToMonths = 1.0; // "months", "years" or "days"
    CodedColumn event;
    QMap<QString, MarkerColumn> biomarkers; // by our name

    static core::Expected<ColumnMapping> fromJson(const QJsonObject& json, const BiomarkerSchema& schema, const QString& source);
    // A JSON file, or the name of a shipped mapping ("nhanes-bioage").
    static core::Expected<ColumnMapping> load(const QString& fileOrName, const BiomarkerSchema& schema = BiomarkerSchema::builtIn());
    static QStringList builtInNames();
    QJsonObject toJson() const;
};

} // namespace bioforge::age
