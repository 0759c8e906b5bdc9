#pragma once

// A run's files checked against its record: each input, model file and output
// hashed again (SHA-256, core/io/sha256.h) and compared with what the run
// recorded, so that a result months old can be vouched for — or not — before
// it is compared, reported or run again (`bioforge verify`, `bioforge rerun`;
// trial 25 T25-12: `compare` and `show` vouched for outputs edited on disk).

#include "provenance/run_record.h"

#include <QList>
#include <QString>

#include <functional>

namespace bioforge::core {

struct FileCheck {
    enum class State { Same, Changed, Missing, NotRecorded };
    QString role;     // "input", "model", "output"
    QString name;     // the record's name (an input's label, a model's name, an output's role)
    QString path;     // absolute
    QString recorded; // SHA-256 in the record (empty: none)
    QString now;      // SHA-256 of the file now (empty where it is missing or was not hashed)
    State state = State::NotRecorded;
};

struct RunVerification {
    QList<FileCheck> files; // inputs, then model files, then outputs, in the record's order
    int count(FileCheck::State state) const;
    bool allSame() const { return count(FileCheck::State::Changed) == 0 && count(FileCheck::State::Missing) == 0; }
};

QString fileCheckStateName(FileCheck::State state); // "same", "changed", "missing", "not recorded"

// `runDir`: the run's folder (outputs are recorded relative to it). An input without a path (text
// given inline), a model folder recorded without its files: NotRecorded. `hashing`, when given,
// hears of each file before it is hashed (a long input: the terminal says which).
RunVerification verifyRunFiles(const RunRecord& run, const QString& runDir, const std::function<void(const QString& path)>& hashing = {});

} // namespace bioforge::core
