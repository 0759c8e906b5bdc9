#pragma once

// A paused, interrupted or failed run whose input files moved since it began (a lab's /data
// reorganised, a project and its data copied to another machine) is resumed on them where they
// are now: `bioforge resume <run-id> --relocate OLD=NEW --search DIR`, or the window's "Locate…".
// Its inputs are pinned by SHA-256 (input_pins.h): a file found elsewhere is taken only when its
// content is the one the run began with, checked again when the continuation starts; the
// continuation's parameters and provenance give the new paths, and its warnings say each move.

#include "provenance/run_record.h"
#include "util/expected.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

namespace bioforge::core {

struct InputRelocation {
    // Old path -> new path: a file to a file, a file to the folder it is now in, or a folder to a
    // folder (every input under OLD is under NEW with the same relative path), as typed.
    QHash<QString, QString> moves;
    // `OLD=NEW` texts with more than one '=' (a path such as /data/sample=A/x.fa), split where OLD
    // names one of the run's inputs or a folder above one (relocateInputs).
    QStringList ambiguousMoves;
    // Folders in which a gone input is looked for by its file name (the first that holds it).
    QStringList searchFolders;

    bool isEmpty() const { return moves.isEmpty() && ambiguousMoves.isEmpty() && searchFolders.isEmpty(); }
    // Reads one `OLD=NEW` (the CLI's --relocate): both sides non-empty, made absolute against the
    // current folder. Error: the text, and what was expected.
    Status addMove(const QString& oldEqualsNew);
};

// For each input of `recorded` (a run's RunRecord::inputs: absolute paths, SHA-256 and bytes) that
// is no longer a file where it was, its place under `relocation`: old absolute path -> new absolute
// path. A file found keeps its file name (the results name their input files) and its size in
// bytes (where `recorded` has one: 0 is unknown); its SHA-256 is compared with the run's pins when the continuation starts (pinInputs).
// Errors (each naming the input and the place): a move that names none of the run's inputs (the
// inputs are listed), a place given that holds no such file, another name, another size. An input
// still in place is never moved; a gone one no move or folder finds stays gone (the resume says so).
Expected<QHash<QString, QString>> relocateInputs(const QList<FileRef>& recorded, const InputRelocation& relocation);

// `parameters` with every string, or string of an array, equal to an old path of `moved` (old ->
// new) replaced by the new path. Parameters are as a verb's ParameterSpec validated them.
QJsonObject withRelocatedPaths(QJsonObject parameters, const QHash<QString, QString>& moved);

} // namespace bioforge::core
