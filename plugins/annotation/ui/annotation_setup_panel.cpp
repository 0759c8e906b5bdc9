#include "annotation_setup_panel.h"

#include "identity/gene_list.h"
#include "pipeline/bulk_import.h"
#include "runs/run_title.h"
#include "settings/file_dialogs.h"
#include "settings/page_memory.h"
#include "sources/annotation_source.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QRegularExpression>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QTimer>
#include <QtConcurrent>

static void initAnnotationPanels() { Q_INIT_RESOURCE(annotation); }

namespace bioforge::annotation {

AnnotationSetupPanel::AnnotationSetupPanel(std::function<QString()> libraryPath, QWidget* parent)
    : QWidget(parent), m_library(std::move(libraryPath)), m_cancelImport(std::make_shared<std::atomic<bool>>(false))
{
    auto* layout = new QVBoxLayout(this);
    auto* list = new QGroupBox(tr("Gene list"), this);
    auto* listLayout = new QVBoxLayout(list);
    auto* row = new QHBoxLayout;
    m_panels = new QComboBox(list);
    m_panels->setObjectName(QStringLiteral("panels"));
    auto* open = new QPushButton(tr("Open list…"), list);
    auto* save = new QPushButton(tr("Save as panel…"), list);
    row->addWidget(m_panels, 1);
    row->addWidget(open);
    row->addWidget(save);
    listLayout->addLayout(row);
    m_genes = new QPlainTextEdit(list);
    m_genes->setTabChangesFocus(true); // Tab moves on, as everywhere else
    m_genes->setObjectName(QStringLiteral("genes"));
    m_genes->setPlaceholderText(tr("Paste symbols, HGNC ids, Ensembl or NCBI gene ids — one or more per line"));
    listLayout->addWidget(m_genes, 1);
    m_geneCount = new QLabel(list);
    listLayout->addWidget(m_geneCount);
    layout->addWidget(list, 2);

    auto* sources = new QGroupBox(tr("Sources"), this);
    auto* sourcesLayout = new QVBoxLayout(sources);
    m_sources = new QTreeWidget(sources);
    m_sources->setObjectName(QStringLiteral("sources"));
    m_sources->setHeaderLabels({tr("Source"), tr("Imported")});
    m_sources->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_sources->setRootIsDecorated(true);
    sourcesLayout->addWidget(m_sources, 1);
    // The box's text short, what it means wrapped under it: the panel beside the results at a laptop's width.
    m_online = new QCheckBox(tr("Ask the providers' APIs"), sources);
    m_online->setObjectName(QStringLiteral("online"));
    m_online->setToolTip(tr("Ask the providers' APIs for what the imported files lack; the gene list leaves this machine"));
    sourcesLayout->addWidget(m_online);
    auto* onlineNote = new QLabel(tr("for what the imported files lack (the gene list leaves this machine)"), sources);
    onlineNote->setWordWrap(true);
    onlineNote->setEnabled(false); // read as a note on the box above
    sourcesLayout->addWidget(onlineNote);
    connect(m_online, &QCheckBox::toggled, this, &AnnotationSetupPanel::refreshSources);
    auto* importRow = new QHBoxLayout;
    m_import = new QPushButton(tr("Import provider files…"), sources);
    m_import->setObjectName(QStringLiteral("importButton"));
    m_importProgress = new QProgressBar(sources);
    m_importProgress->setVisible(false);
    importRow->addWidget(m_import);
    importRow->addWidget(m_importProgress, 1);
    sourcesLayout->addLayout(importRow);
    layout->addWidget(sources, 3);

    auto* run = new QPushButton(tr("Annotate"), this);
    run->setObjectName(QStringLiteral("runButton"));
    layout->addWidget(run);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(run, &QPushButton::clicked, this, &AnnotationSetupPanel::runRequested);
    // The list and the online choice are kept for the next start (written half a second after the last change).
    auto* remember = new QTimer(this);
    remember->setSingleShot(true);
    remember->setInterval(500);
    connect(remember, &QTimer::timeout, this, [this] {
        const ui::PageMemory memory(QStringLiteral("annotation"));
        memory.setValue(QStringLiteral("genes"), m_genes->toPlainText());
        memory.setValue(QStringLiteral("online"), m_online->isChecked());
    });
    connect(m_genes, &QPlainTextEdit::textChanged, this, [this, remember] {
        const int n = int(parseGeneList(m_genes->toPlainText()).size());
        m_geneCount->setText(n == 1 ? tr("1 entry") : tr("%1 entries").arg(n));
        remember->start();
    });
    connect(m_online, &QCheckBox::toggled, remember, qOverload<>(&QTimer::start));
    connect(m_panels, &QComboBox::activated, this, [this](int i) {
        QFile f(m_panels->itemData(i).toString());
        if (f.open(QIODevice::ReadOnly))
            setGenesFromFile(f.fileName(), f.readAll());
    });
    connect(open, &QPushButton::clicked, this, [this] {
        const QString path = ui::chooseFile(this, QStringLiteral("gene-list"), tr("Gene list"));
        if (path.isEmpty())
            return;
        auto entries = readGeneList(path); // checks the file (UTF-8, not binary) before it lands in the editor
        if (!entries) {
            setStatus(entries.error().message());
            return;
        }
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            setGenesFromFile(path, f.readAll());
        for (const GeneListEntry& e : *entries)
            if (!e.problem.isEmpty()) {
                setStatus(tr("%1: %2; such entries will be listed unknown").arg(QDir::toNativeSeparators(path), e.problem));
                break;
            }
    });
    connect(save, &QPushButton::clicked, this, &AnnotationSetupPanel::savePanel);
    connect(m_import, &QPushButton::clicked, this, [this] {
        const QStringList paths = ui::chooseFiles(this, QStringLiteral("provider-files"), tr("Provider files to import"));
        if (!paths.isEmpty())
            importFiles(paths);
    });
    reloadPanels();
    const ui::PageMemory memory(QStringLiteral("annotation"));
    m_online->setChecked(memory.value(QStringLiteral("online"), false).toBool());
    m_genes->setPlainText(memory.value(QStringLiteral("genes")).toString());
    refreshSources();
}

AnnotationSetupPanel::~AnnotationSetupPanel() { m_cancelImport->store(true); }

void AnnotationSetupPanel::setProjectFolder(const QString& folder)
{
    m_projectFolder = folder;
    reloadPanels();
}

void AnnotationSetupPanel::reloadPanels()
{
    initAnnotationPanels();
    m_panels->clear();
    m_panels->addItem(tr("Saved panels…"));
    for (QDirIterator it(QStringLiteral(":/annotation/panels")); it.hasNext();) {
        const QString p = it.next();
        m_panels->addItem(tr("%1 (shipped)").arg(QFileInfo(p).completeBaseName()), p);
    }
    if (!m_projectFolder.isEmpty())
        for (const QFileInfo& f : QDir(QDir(m_projectFolder).filePath(QStringLiteral("annotation/panels"))).entryInfoList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name))
            m_panels->addItem(f.completeBaseName(), f.absoluteFilePath());
}

void AnnotationSetupPanel::savePanel()
{
    if (m_projectFolder.isEmpty()) {
        setStatus(tr("Open a project first: panels are saved with it."));
        return;
    }
    const QString name = QInputDialog::getText(this, tr("Save panel"), tr("Panel name"));
    if (name.trimmed().isEmpty())
        return;
    const QString dir = QDir(m_projectFolder).filePath(QStringLiteral("annotation/panels"));
    QDir().mkpath(dir);
    QString file = name.trimmed();
    file.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9 ._-]")), QStringLiteral("_"));
    QFile f(QDir(dir).filePath(file + QStringLiteral(".txt")));
    if (!f.open(QIODevice::WriteOnly) || f.write(m_genes->toPlainText().toUtf8()) < 0) {
        setStatus(tr("Could not save %1: %2").arg(f.fileName(), f.errorString()));
        return;
    }
    f.close();
    reloadPanels();
    setStatus(tr("Saved as %1.").arg(f.fileName()));
}

void AnnotationSetupPanel::setGenes(const QString& text)
{
    m_genes->setPlainText(text);
    m_listFile.clear();
}

void AnnotationSetupPanel::setGenesFromFile(const QString& file, const QByteArray& bytes)
{
    m_genes->setPlainText(QString::fromUtf8(bytes));
    m_listFileBytes = bytes;
    // A panel shipped inside the program (a Qt resource, ":/…") is no file a run can read: its text.
    m_listFile = file.startsWith(QLatin1Char(':')) ? QString() : QFileInfo(file).absoluteFilePath();
    m_listFileText = m_genes->toPlainText(); // as the box holds it (its line ends)
}

QString AnnotationSetupPanel::runTitle(const QJsonObject& parameters) const
{
    if (parameters.contains(QLatin1String("genes")))
        return {};
    const QList<GeneListEntry> entries = parseGeneList(genes());
    QStringList first;
    for (qsizetype i = 0; i < std::min<qsizetype>(3, entries.size()); ++i)
        first << (entries[i].text.size() > 24 ? entries[i].text.left(23) + QStringLiteral("…") : entries[i].text);
    const QString counted = entries.size() == 1 ? QStringLiteral("Gene annotation: annotate — 1 entry")
                                                : QStringLiteral("Gene annotation: annotate — %1 entries").arg(entries.size());
    const QString named = counted + QStringLiteral(": ") + first.join(QStringLiteral(", ")) + (entries.size() > 3 ? QStringLiteral(", …") : QString());
    // An entry a title cannot hold (a control character pasted with it): the count only.
    return core::checkRunTitle(named) ? named : counted;
}
QString AnnotationSetupPanel::genes() const { return m_genes->toPlainText(); }
void AnnotationSetupPanel::setStatus(const QString& text) { m_status->setText(text); }

QStringList AnnotationSetupPanel::checkedSources() const
{
    QStringList out;
    for (int i = 0; i < m_sources->topLevelItemCount(); ++i)
        if (m_sources->topLevelItem(i)->checkState(0) == Qt::Checked)
            out << m_sources->topLevelItem(i)->data(0, Qt::UserRole).toString();
    return out;
}

QJsonObject AnnotationSetupPanel::parameters() const
{
    QJsonObject p{{QStringLiteral("sources"), checkedSources().join(QLatin1Char(','))},
                  {QStringLiteral("library"), m_library()},
                  {QStringLiteral("offline"), !m_online->isChecked()}};
    // The file (its bytes pinned, its name in the title) while the box holds it unedited and it holds
    // what was read (a list saved again since runs as what the box shows).
    QFile file(m_listFile);
    if (!m_listFile.isEmpty() && genes() == m_listFileText && file.open(QIODevice::ReadOnly) && file.readAll() == m_listFileBytes)
        p.insert(QStringLiteral("genes"), m_listFile);
    else
        p.insert(QStringLiteral("genes_text"), genes());
    return p;
}

void AnnotationSetupPanel::refreshSources()
{
    const QStringList checked = checkedSources(), wasUsable = m_usable;
    m_usable.clear();
    m_sources->clear();
    auto library = BulkLibrary::open(m_library()); // small indexed reads: fine on the UI thread
    for (const auto& source : allSources()) {
        auto* item = new QTreeWidgetItem(m_sources, {source->title(), QString()});
        item->setData(0, Qt::UserRole, source->id());
        int present = 0, required = 0, requiredPresent = 0;
        for (const BulkPart& part : source->parts()) {
            std::optional<ReleaseInfo> release;
            if (library)
                release = (*library)->activeRelease(source->id(), part.id).valueOr(std::nullopt);
            auto* child = new QTreeWidgetItem(item, {part.id + (part.required ? QString() : tr(" (optional)")),
                                                     release ? tr("%1 — %2 rows, %3, imported %4")
                                                                   .arg(release->release, QString::number(release->rows), release->fileName,
                                                                        release->importedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd")))
                                                             : tr("not imported: %1").arg(part.description)});
            child->setToolTip(1, child->text(1));
            present += release ? 1 : 0;
            required += part.required ? 1 : 0;
            requiredPresent += part.required && release ? 1 : 0;
        }
        const bool bulk = present > 0 && requiredPresent == required;
        const bool api = m_online->isChecked() && source->hasApi();
        const bool usable = bulk || api;
        item->setText(1, bulk ? (api ? tr("bulk files, then the API (%1)").arg(source->apiHost()) : tr("bulk files imported (offline)"))
                      : api ? tr("API only (%1)").arg(source->apiHost())
                      : present ? tr("incomplete: a required file is missing")
                                : tr("not imported") + (source->hasApi() ? tr("; has an API (online)") : QString()));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        const bool keep = wasUsable.contains(source->id()) ? checked.contains(source->id()) : true; // the user's choice stays; new ones start checked
        item->setCheckState(0, usable && keep ? Qt::Checked : Qt::Unchecked);
        if (usable)
            m_usable << source->id();
        if (!usable)
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
    }
    if (!library)
        setStatus(library.error().message());
}

void AnnotationSetupPanel::importFiles(const QStringList& paths)
{
    m_import->setEnabled(false);
    m_importProgress->setVisible(true);
    m_importProgress->setRange(0, 1000);
    m_importProgress->setValue(0);
    QPointer<AnnotationSetupPanel> self(this);
    const QString library = m_library();
    auto cancel = m_cancelImport;
    (void)QtConcurrent::run([self, library, paths, cancel] {
        int imported = 0, failed = 0;
        QStringList messages;
        auto lib = BulkLibrary::open(library); // this thread's own connection
        for (int i = 0; i < paths.size() && lib; ++i) {
            StreamControl control;
            control.stopRequested = [cancel] { return cancel->load(); };
            control.progress = [self, i, n = paths.size()](qint64 done, qint64 total) {
                const int value = int(1000.0 * (double(i) + (total > 0 ? double(done) / double(total) : 0.0)) / double(n));
                QMetaObject::invokeMethod(qApp, [self, value] {
                    if (self)
                        self->m_importProgress->setValue(value);
                });
            };
            auto r = importIfChanged(**lib, paths[i], control);
            if (r) {
                ++imported;
                messages << QObject::tr("%1: %2").arg(QFileInfo(paths[i]).fileName(), r->first.release);
                if (const QString shrink = r->first.shrinkWarning(); !shrink.isEmpty())
                    messages << shrink;
                if (const QString extract = extractWarning(r->first); !extract.isEmpty())
                    messages << extract;
            } else {
                ++failed;
                messages << r.error().message();
            }
        }
        if (!lib)
            messages << lib.error().message();
        QMetaObject::invokeMethod(qApp, [self, imported, failed, messages] {
            if (!self)
                return;
            self->m_import->setEnabled(true);
            self->m_importProgress->setVisible(false);
            self->refreshSources();
            self->setStatus(messages.join(QLatin1Char('\n')));
            emit self->importsFinished(imported, failed);
        });
    });
}

} // namespace bioforge::annotation
