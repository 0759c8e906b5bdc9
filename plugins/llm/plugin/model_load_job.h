#pragma once

// Loading a model as a job with progress: the file is read through once to
// compute its SHA-256 (the model card and every chat's provenance name it),
// which also brings it into the page cache, then its tokenizer, configuration
// and tensors are checked. The engine then maps it at once.

#include "jobs/job.h"
#include "runtime/inference_engine.h"

#include <QString>

namespace bioforge::llm {

class ModelLoadJob final : public core::Job {
public:
    explicit ModelLoadJob(QString path) : m_path(std::move(path)) {}
    core::JobOutcome run(core::JobContext& ctx) override;

    const QString& path() const { return m_path; }
    const QString& sha256() const { return m_sha256; }

private:
    QString m_path;
    QString m_sha256;
};

} // namespace bioforge::llm
