#pragma once

// What the viral page's tests share (tst_viral_page.cpp, tst_viral_page_parts.cpp): a session on
// a fresh project in a temporary folder and the page on it, shown offscreen, and the page's
// FASTA file, six synthetic contigs and one without a codon.

#include "log/logging.h"
#include "pipeline/validate_job.h"
#include "runs/session.h"
#include "viral_page.h"

#include <QFile>
#include <QObject>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <memory>

namespace bioforge::test {

class ViralPageFixture : public QObject {
protected:
    QTemporaryDir m_dir;
    std::unique_ptr<core::Session> m_session;
    std::unique_ptr<viral::ViralPage> m_page;

    // A project in m_dir/project and the page on it, shown at 1400x820; false if the project
    // cannot be made.
    bool openPage()
    {
        QStandardPaths::setTestModeEnabled(true);
        core::Logging::initialize(core::Logging::Console::Off);
        m_session = std::make_unique<core::Session>(core::Session::Options{});
        if (!m_session->openProject(m_dir.filePath(QStringLiteral("project")), true))
            return false;
        m_page = std::make_unique<viral::ViralPage>(ui::PageContext{m_session.get()}, nullptr);
        m_page->resize(1400, 820);
        m_page->show();
        return true;
    }

    // m_dir/page.fa: page_contig_0 to _5 (200 to 1450 bases) and only_n, which no codon
    // translates (nothing to score).
    bool writePageFasta() const
    {
        QFile fasta(m_dir.filePath(QStringLiteral("page.fa")));
        if (!fasta.open(QIODevice::WriteOnly))
            return false;
        for (int i = 0; i < 6; ++i)
            fasta.write(">page_contig_" + QByteArray::number(i) + "\n" + QByteArray::fromStdString(viral::ValidateJob::syntheticContig(size_t(200 + 250 * i), uint32_t(i))) + "\n");
        fasta.write(">only_n\nNNNNNNNN\n"); // no codon translates: nothing to score
        return fasta.flush();
    }
};

} // namespace bioforge::test
