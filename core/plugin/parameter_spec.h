#pragma once

// The parameters a verb takes, declared once and used three ways: to validate
// a run's parameters (filling defaults), to parse command-line arguments, and
// to build forms and help text.

#include "util/expected.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace bioforge::core {

struct ParameterSpec {
    enum class Type { String, Integer, Number, Boolean, Path, PathList, Choice };
    QString name;
    Type type = Type::String;
    QString description;
    QJsonValue defaultValue; // Undefined = required; Null = optional, and null in the parameters when not given (the job then knows it was not)
    QStringList choices;     // for Choice
    double minimum = -1e300;
    double maximum = 1e300;
    bool inputFiles = false; // Path/PathList: every path names a file that must exist
    // String: a file or folder, or else a name the plugin looks up (a shipped mapping, a registry
    // model). A relative value naming an existing file or folder is made absolute when a run starts.
    bool fileOrName = false;
    // fileOrName: a file the run also writes or that others change while it is paused (an API
    // cache, an annotation library whose values name their own releases): made absolute, but not
    // pinned by its SHA-256 as an input — a resume would refuse a cache that did not exist at the
    // start, or a library another import changed.
    bool readWrite = false;

    bool required() const { return defaultValue.isUndefined(); }
};

struct VerbSpec {
    QString name;
    QString description;
    QList<ParameterSpec> parameters;

    // Checks types, ranges and unknown names; fills defaults.
    Expected<QJsonObject> validate(const QJsonObject& given) const;
    // "--name value" or "--name=value"; booleans also as "--flag", "--no-flag",
    // "--flag true|false|yes|no|1|0" and "--flag=…"; repeated or positional
    // values for the first PathList parameter (else one for the first Path of an input file, else
    // for the first Path, else for the first fileOrName String). Hyphens and underscores in a name are the same (--top-k, --top_k).
    Expected<QJsonObject> parseArguments(const QStringList& args) const;
    // As parseArguments, without validate(): only what the arguments give (no defaults).
    Expected<QJsonObject> parseGivenArguments(const QStringList& args) const;
    // The first path of an inputFiles parameter that is not an existing file (or is /dev/stdin,
    // /dev/fd/N or under /proc: standard input redirected from a file names no file a resume
    // reads), or empty.
    QString missingInputFile(const QJsonObject& validated) const;
    // Every path the inputFiles parameters name, in declaration order (empty values left out).
    QStringList inputFilePaths(const QJsonObject& validated) const;
    // The paths a run of these parameters reads that are not there now: inputFilePaths that do not
    // exist, and fileOrName values that are absolute paths (a file or folder when the run began:
    // made absolute then; a registry name never is) that no longer exist — a column mapping, a model
    // file or folder (review 69 R69-5: filesRead leaves out those that are gone).
    QStringList pathsGone(const QJsonObject& validated) const;
    // inputFilePaths, then the fileOrName values that name an existing file (a column mapping, a
    // classifier file; not a folder, not a registry name): the files a run reads as given.
    QStringList filesRead(const QJsonObject& validated) const;
    // The parameters with every relative path made absolute against the current folder: Path and
    // PathList values, and fileOrName strings that name an existing file or folder. A run keeps
    // these, so that resuming it (from another folder, after a reboot) or running it on a cluster
    // node reads the same files.
    QJsonObject withAbsolutePaths(const QJsonObject& validated) const;
    // The input files' names, for a run's title: "a.fa", "a.fa, b.fa", "a.fa, b.fa and 3 more";
    // without input files, a required fileOrName's file name or name; else empty.
    QString inputSummary(const QJsonObject& validated) const;
    QString helpText() const;
};

} // namespace bioforge::core
