#pragma once

// Two runs side by side (`bioforge compare A B`, the Runs page's Compare): what differs in their
// provenance records, value by value, and how many values are the same in each part. Same-titled
// runs of a long project were told apart only by opening each record (trial 21 T21-19).

#include "provenance/run_record.h"

#include <QList>
#include <QString>

#include <utility>

namespace bioforge::core {

struct RunDifference {
    // "run" (title, plugin, verb, state, error, warnings, cluster), "parameters", "inputs",
    // "models", "outputs", "device", "versions" (the application's, the plugin's and the libraries'),
    // "machine" (host, operating system, kernel, CPU architecture).
    QString section;
    QString key; // a parameter's name ("a.b" inside an object), an input's or model's name, …
    QString a;   // as shown: an input "sha256 path", a model "revision sha256"; empty where the run has none
    QString b;
};

struct RunComparison {
    QList<RunDifference> differences;     // in the section order above, then by key
    QList<std::pair<QString, int>> same;  // (section, values equal in both), in the order above; a section with none is absent
    qint64 secondsA = -1, secondsB = -1;  // started to ended (-1: not both known)
};

/// What differs between `a` and `b` (their ids, times and checkpoint folders are not compared). A
/// file (input, output) or model is the same when its SHA-256 (and a model's revision) is, wherever
/// it lies; a file in one run only is a difference with the other side empty. Parameters are
/// compared value by value (nested objects key by key, arrays whole).
RunComparison compareRuns(const RunRecord& a, const RunRecord& b);

} // namespace bioforge::core
