#pragma once

// The `annotate` run: resolve the gene list (stage "resolve"), then every
// (source, gene) pair from the imported bulk files (stage "annotate",
// gene by gene, values stored in batches together with their completion),
// then the tables (stage "write"). A gene that fails in a source is retried
// once and then recorded as failed with its error; the others go on. A
// source without its files fails for every gene with that reason, the
// others go on. Progress counts stored pairs over all pairs, so it never
// passes 100 % and a resume starts where the store ends.

#include "jobs/job.h"
#include "pipeline/annotate_settings.h"

namespace bioforge::annotation {

class AnnotateJob final : public core::Job {
public:
    bool resumesFromCheckpoints() const override { return true; }
    explicit AnnotateJob(AnnotateSettings settings) : m_settings(std::move(settings)) {}
    core::JobOutcome run(core::JobContext& ctx) override;

private:
    AnnotateSettings m_settings;
};

} // namespace bioforge::annotation
