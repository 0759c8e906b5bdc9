#pragma once

// The biomarkers the age plugin knows, from one JSON resource
// (resources/age/biomarkers.json): each with its canonical unit (those of
// Levine et al. 2018 and the BioAge R package), the other units it may come
// in with their conversion (canonical = factor * value + offset), and a
// plausible range in the canonical unit (outside it a value is a data error).
// The same file says which markers each built-in clock needs.

#include "util/expected.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace bioforge::age {

struct UnitConversion {
    double factor = 1.0;
    double offset = 0.0;
    double apply(double value) const { return factor * value + offset; }
};

struct BiomarkerSpec {
    QString name;  // ours, e.g. "albumin"
    QString label; // for people, e.g. "Albumin"
    QString unit;  // canonical
    double minimum = 0, maximum = 0; // plausible range, canonical unit
    QHash<QString, UnitConversion> units; // other accepted units

    // The conversion from `unit` to the canonical one; an error naming the accepted units.
    // Units are matched as written, else in another case and with u, the micro sign µ and the
    // Greek mu μ taken as one letter (mg/dl, 10^3/µL, umol/l), where the accepted units so alike
    // all mean the same (none where two differing only so convert differently).
    core::Expected<UnitConversion> conversionFrom(const QString& unit) const;
    // The accepted unit (as the schema writes it) that `unit` is read as by conversionFrom; the
    // canonical one for an empty `unit`; empty when none.
    QString acceptedSpelling(const QString& unit) const;
    QStringList acceptedUnits() const; // the canonical one first
};

struct ClockRequirement {
    QStringList required;  // our biomarker names, in the clock's order
    int missingAllowed = 0; // markers a row may lack and still get the clock
};

class BiomarkerSchema {
public:
    static core::Expected<BiomarkerSchema> fromJson(const QJsonObject& json, const QString& source);
    // The schema shipped with the program (:/age/biomarkers.json).
    static const BiomarkerSchema& builtIn();

    const BiomarkerSpec* find(const QString& name) const;
    const QList<BiomarkerSpec>& biomarkers() const { return m_biomarkers; }
    QStringList names() const;
    // The markers a clock needs ("phenoage", "kdm", "kdm_blood", "hd"); empty when unknown.
    ClockRequirement requirement(const QString& clock) const { return m_requirements.value(clock); }

private:
    QList<BiomarkerSpec> m_biomarkers;
    QHash<QString, ClockRequirement> m_requirements;
};

} // namespace bioforge::age
