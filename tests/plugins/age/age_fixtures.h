#pragma once

// Reading the BioAge reference files of ../shared/fixtures/age in tests: rows
// by column name, parameters turned into our models (BioAge's marker names
// and units mapped to ours).

#include "clocks/homeostatic_dysregulation.h"
#include "clocks/kdm.h"
#include "clocks/phenoage.h"

#include <QHash>
#include <QList>
#include <QString>

namespace bioforge::age::test {

using Row = QHash<QString, QString>;
QList<Row> readRows(const QString& path);           // every row of a CSV, by header name
QString agePath(const QString& name);               // ../shared/fixtures/age/<name>
bool ageFixturesAvailable();

// BioAge's marker name -> ours, and the factor from its unit to our canonical one.
struct MarkerName {
    QString ours;
    double toCanonical = 1.0;
};
MarkerName fromBioAge(const QString& name);

// The model stored in kdm_biomarker_params / kdm_model_params ("kdm_levine2013_9", "kdm_blood_9"),
// with s_BA^2 from the package (all rows) or complete cases.
KdmModel kdmFromFixture(const QString& model, KdmVarianceRows variance);
RetrainedPhenoAge retrainedFromFixture();
HdModel hdFromFixture();
QHash<QString, double> parameterFile(const QString& path); // "parameter,value" files

} // namespace bioforge::age::test
