#pragma once

// The window's Resume (Runs page, Jobs dock, the resume offer at start) of a run whose input files
// are no longer where it began: it asks for the folder they are in now, finds each there by its file
// name, and resumes on them when their content is the one the run began with (their SHA-256 is
// checked as the continuation starts: core/runs/input_relocation.h). A paused run could only be
// resumed by moving its files back (trial 21).

#include "util/expected.h"

#include <QString>

class QWidget;

namespace bioforge::core {
class RunService;
}

namespace bioforge::ui {

// Resumes `runId`; when inputs it reads are gone, first asks (a message naming them, then a folder
// dialog; `parent` owns both) where they are now. The run id of the continuation, or the refusal
// (NotFound "… not resumed: its input files were not located" when the user chose not to).
core::Expected<QString> resumeLocatingInputs(core::RunService& runs, const QString& runId, QWidget* parent);

} // namespace bioforge::ui
