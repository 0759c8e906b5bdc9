#pragma once

// Parameters of an `annotate` run (bioforge run annotation annotate …).

#include "plugin/parameter_spec.h"
#include "util/expected.h"

#include <QJsonObject>
#include <QStringList>

namespace bioforge::annotation {

struct AnnotateSettings {
    QString genesFile;    // a gene list file, or
    QString genesText;    // pasted text
    QStringList sources;  // empty: every source with its files imported
    bool offline = true;
    QString identity;     // "", "hgnc" or "orgdb"
    QString library;      // the annotation library's path
    QString importDir;    // a folder of provider files to import first (each skipped when already the active release)
    QString orgDb;        // org.Hs.eg.sqlite to import first ("auto": where R installs it; empty: none)
    int batch = 200;      // (source, gene) values stored per transaction

    static core::Expected<AnnotateSettings> fromParameters(const QJsonObject& p);
};

core::VerbSpec annotateVerb();

} // namespace bioforge::annotation
