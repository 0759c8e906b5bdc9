#pragma once

// Everything needed to know how a result was made: plugin and version,
// parameters, inputs and models with SHA-256, software versions, device,
// times, outputs with SHA-256, and the run it resumes. Stored in the project
// database and exported as JSON.

#include "util/expected.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QString>

#include <optional>

namespace bioforge::core {

enum class RunState { Queued, Running, Paused, Cancelled, Finished, Failed, Interrupted };

QString runStateName(RunState state);
std::optional<RunState> runStateFromName(const QString& name);
bool runStateIsFinal(RunState state);   // Cancelled, Finished, Failed
bool runStateIsResumable(RunState state); // Paused, Interrupted, Failed

struct FileRef {
    QString name;   // logical name (input label, output role)
    QString path;   // absolute, or relative to the run folder for outputs
    QString sha256;
    qint64 size = 0;
};

struct ModelRef {
    QString name;
    QString revision;
    QString sha256; // of the model's files (manifest hash) or its single file
    QString path;
    // Where `sha256` is the model checksum of several files (ModelEntry::combinedSha256: the SHA-256
    // of their "path sha256" lines), each file: name = its path in the model, path absolute, its own
    // SHA-256 and size, so that each can be checked with sha256sum. Empty where `sha256` is the
    // single file's own, or the files were not known to the run (provenance.json "files", optional).
    QList<FileRef> files{};
    // What it is to the run where it is no model: "reference data" (annotation's provider releases).
    // Empty: a model (provenance.json "role", written only when set).
    QString role{};
    // Bytes of the one file `sha256` is of (an annotation release's file); 0 where not known or where
    // the model is several files (each file's size is in `files`). provenance.json "size", when known.
    qint64 size = 0;

    QString roleName() const { return role.isEmpty() ? QStringLiteral("model") : role; }
};

// FileRef lists as run records write them: [{"name", "path", "sha256", "size"}].
QJsonArray filesToJson(const QList<FileRef>& files);
QList<FileRef> filesFromJson(const QJsonValue& json);

struct RunRecord {
    QString runId;
    QString title;
    QString pluginId;
    QString pluginVersion;
    QString verb;
    QJsonObject parameters;
    RunState state = RunState::Queued;
    QString error;
    bool newRunNeeded = false; // failed on what it was given: a resume would fail the same way (JobFailure::needingNewRun)
    QString parentRunId;  // the run this one resumes
    QString checkpointId; // whose checkpoint folder this run uses (the first run of a chain)
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime endedAt;
    QList<FileRef> inputs;
    QList<ModelRef> models;
    QList<FileRef> outputs;
    QJsonObject environment;
    QJsonObject device;
    QJsonObject libraries; // versions that plugins add (e.g. LibTorch)
    QJsonObject cluster;   // a cluster run: back-end, jobs, nodes, plan (empty for a local run)
    int warningCount = 0;  // records skipped or changed while the run worked
    QStringList warnings;  // the first of them (ProvenanceRecorder::kKeptWarnings)

    // Whether it failed on what it was given (state Failed and newRunNeeded): a resume would read the
    // same input and settings and fail the same way; only a new run can succeed.
    bool failedOnInput() const { return state == RunState::Failed && newRunNeeded; }
    // Whether a resume can continue it: paused, interrupted or failed, but not failedOnInput().
    bool resumable() const;

    QJsonObject toJson() const;
    static Expected<RunRecord> fromJson(const QJsonObject& json);
};

// The run of `all` that continues `runId` (its resume), if one was started (a run is resumed once).
const RunRecord* continuationOf(const QList<RunRecord>& all, const QString& runId);
// The last run of `runId`'s chain of resumes (its continuation's continuation, …); null when it was
// never resumed. A chain an edited database turned into a cycle ends after as many steps as runs.
const RunRecord* lastContinuationOf(const QList<RunRecord>& all, const QString& runId);
// The runs `runId` continues, from the first of its chain of resumes, then `runId`'s own record
// (pointers into `all`); empty when `runId` is not in `all`. The walk stops at a parent missing from
// `all`, and at a run met twice (a cycle only an edited database holds).
QList<const RunRecord*> chainUpTo(const QList<RunRecord>& all, const QString& runId);
// Every run of `runId`'s chain of resumes: chainUpTo(all, runId), then every run continuing one of
// the chain, breadth first (two continuations of one run both); empty when `runId` is not in `all`.
QList<const RunRecord*> runsOfChain(const QList<RunRecord>& all, const QString& runId);

} // namespace bioforge::core
