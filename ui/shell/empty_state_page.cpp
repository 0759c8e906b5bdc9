#include "shell/empty_state_page.h"

#include "plugin/plugin_manager.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace bioforge::ui {

EmptyStatePage::EmptyStatePage(const core::PluginManager& plugins, QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("emptyStatePage"));
    QString failures;
    for (const core::PluginEntry& e : plugins.entries())
        if (e.state == core::PluginEntry::State::Failed)
            failures += QStringLiteral("<li><b>%1</b>: %2</li>").arg(e.metadata.id.toHtmlEscaped(), e.error.toHtmlEscaped());
    QString paths;
    for (const QString& path : plugins.searchPaths())
        paths += QStringLiteral("<li>%1</li>").arg(path.toHtmlEscaped());
    QString text = tr("<h2>No analysis plugin is loaded</h2>"
                      "<p>The workbench runs, but none of its analysis plugins (viral, annotation, age, llm) was found. "
                      "They are searched in:</p><ul>%1</ul>")
                       .arg(paths);
    if (!failures.isEmpty())
        text += tr("<p>These were found but could not be loaded:</p><ul>%1</ul>").arg(failures);
    text += tr("<p>The self-test checks jobs, progress, checkpoints, provenance and reports end to end.</p>");
    auto* label = new QLabel(text, this);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    auto* button = new QPushButton(tr("Run the self-test"), this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(button, 0, Qt::AlignLeft);
    layout->addStretch();
    connect(button, &QPushButton::clicked, this, &EmptyStatePage::selfTestRequested);
}

} // namespace bioforge::ui
