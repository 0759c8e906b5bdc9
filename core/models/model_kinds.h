#pragma once

// The kinds of model the workbench's plugins load, and the files each needs in
// its folder (docs/user-guide.md#models): `models import` refuses a kind it does
// not know and a folder that lacks a file its kind needs, before anything is
// registered; a run refuses a registered model of another kind by name.

#include "util/expected.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace bioforge::core {

struct ModelKind {
    QString name;        // as registered: "esm2", "dnabert-s", …
    QString description; // what it is and which plugin loads it
    // Wildcard patterns (QDir name filters) each matched by at least one file at the folder's top.
    QStringList requiredFiles;
    // Bytes that a model this workbench synthesizes (random weights) carries in the first 64 KiB of
    // a required file: such a model is registered as a TEST model whoever imports it. Empty: none.
    QByteArray testModelMark{};
    // A model that is one file of requiredFiles' patterns (a GGUF): it may be imported as that
    // file, and a folder import registers only such files (a Downloads folder was hashed in full,
    // and deleting a note in it "failed" the model's verification: trial 19).
    bool oneFile = false;
};

// Whether a required file of `kind` in `folder` carries the kind's testModelMark.
bool holdsTestModelMark(const ModelKind& kind, const QString& folder);
// Whether `file` carries the kind's testModelMark in its first 64 KiB.
bool fileHoldsTestModelMark(const ModelKind& kind, const QString& file);

const QList<ModelKind>& modelKinds();

// The kind of that name; an Invalid error listing the kinds for any other name.
Expected<ModelKind> findModelKind(const QString& name);

// The folder holds a file for each of the kind's patterns; otherwise a NotFound error naming
// the folder, the kind and every pattern no file matches.
Status checkModelFolder(const ModelKind& kind, const QString& folder);

} // namespace bioforge::core
