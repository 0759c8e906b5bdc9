#pragma once

// What a cluster run asks Slurm for, from the settings, the run dialog or
// `bioforge run … --cluster slurm …`. Every value is checked against the
// syntax sbatch accepts before anything is submitted, and is written as an
// `#SBATCH` directive (sbatch parses those itself: no value ever reaches a
// shell). Stored in the run's parameters, so the run record and its report
// say exactly what was asked for.

#include "util/expected.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace bioforge::core {

struct SlurmOptions {
    int shards = 4;          // array tasks the run is split into, 1 to kMaxShards
    static constexpr int kMaxShards = 10000;
    QString partition;       // --partition (empty: the cluster's default)
    QString account;         // --account
    QString timeLimit;       // --time: minutes, [D-]HH:MM[:SS] …
    int cpusPerTask = 0;     // --cpus-per-task (0: Slurm's default)
    QString memory;          // --mem per node: 4000, 16G …
    int gpusPerTask = 0;     // --gres=gpu:N
    QStringList extraLines;  // further sbatch options, one per line ("--qos=long")

    static Expected<SlurmOptions> fromJson(const QJsonObject& json);
    // `json` with its keys as fromJson reads them (`cpus-per-task` → `cpus_per_task`, `mem` → `memory`)
    // and `unlimited`/`infinite` as sbatch spells them; nothing added (a saved setting keeps only what
    // the user gave, so later defaults still reach it).
    static QJsonObject canonicalKeys(const QJsonObject& json);
    QJsonObject toJson() const;
    // The `#SBATCH` lines of the batch scripts, in a fixed order.
    QStringList directives() const;
};

// `text` as one word for a POSIX shell: single-quoted, embedded quotes closed and escaped.
QString shellQuote(const QString& text);
// `text` as a user would type it: as it is where it holds nothing a shell splits or expands
// (letters, digits, / . _ + , @ % : = -), else shellQuote()d. For commands shown in messages.
QString shellWord(const QString& text);

} // namespace bioforge::core
