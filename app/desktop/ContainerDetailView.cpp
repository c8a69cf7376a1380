#include "ContainerDetailView.h"

#include "ContainerModel.h"
#include "FilesView.h"
#include "InspectView.h"
#include "LogsView.h"
#include "StatsView.h"
#include "TerminalView.h"
#include "Theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace berth::app {

ContainerDetailView::ContainerDetailView(
    EngineService* engine, ContainerModel* model,
    std::function<void(LogsView*, const QString&, const QString&)> attachLogs, QWidget* parent)
    : QWidget(parent), m_engine(engine), m_model(model), m_attachLogs(std::move(attachLogs))
{
    setObjectName("containerDetail");
    m_back = new QToolButton(this);
    m_back->setObjectName("detailBack");
    m_back->setText(tr("Containers"));
    m_back->setIcon(style()->standardIcon(QStyle::SP_ArrowBack));
    m_back->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_back->setAutoRaise(true);
    m_back->setToolTip(tr("Back to the list of containers"));
    m_title = new QLabel(this);
    m_title->setObjectName("detailTitle");
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_state = new QLabel(this);
    m_state->setObjectName("detailState");
    m_openWindow = new QToolButton(this);
    m_openWindow->setObjectName("detailOpenWindow");
    m_openWindow->setText(tr("Open in new window"));
    m_openWindow->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_openWindow->setToolTip(tr("Show this tab in a window of its own"));

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName("detailTabs");
    m_tabs->setDocumentMode(true);
    for (const auto& title : {tr("Logs"), tr("Inspect"), tr("Terminal"), tr("Files"), tr("Stats")}) {
        auto* page = new QWidget(m_tabs);
        auto* layout = new QVBoxLayout(page);
        layout->setContentsMargins(0, 6, 0, 0);
        m_tabs->addTab(page, title);
    }
    updateIcons();

    auto* header = new QHBoxLayout;
    header->addWidget(m_back);
    header->addSpacing(8);
    header->addWidget(m_title);
    header->addWidget(m_state);
    header->addStretch(1);
    header->addWidget(m_openWindow);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_tabs, 1);

    connect(m_back, &QToolButton::clicked, this, &ContainerDetailView::backRequested);
    connect(m_openWindow, &QToolButton::clicked, this,
            [this] { emit openInWindowRequested(m_tabs->currentIndex(), m_id, m_name); });
    connect(m_tabs, &QTabWidget::currentChanged, this, &ContainerDetailView::ensureView);
    // The header follows the container's state (and says when it is gone).
    for (const auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, this, &ContainerDetailView::updateHeader);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ContainerDetailView::updateHeader);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& from, const QModelIndex& to) {
                if (from.column() <= ContainerModel::State && to.column() >= ContainerModel::State)
                    updateHeader();
            });
}

void ContainerDetailView::showContainer(const QString& id, const QString& name, Tab tab)
{
    if (id != m_id)
        clearViews();
    m_id = id;
    m_name = name;
    m_title->setText(name);
    m_title->setToolTip(id);
    updateHeader();
    if (m_tabs->currentIndex() == tab)
        ensureView(tab);
    else
        m_tabs->setCurrentIndex(tab);
}

QString ContainerDetailView::stateText() const
{
    return m_state->text();
}

void ContainerDetailView::clearViews()
{
    for (auto& view : m_views) {
        delete view.data();
        view = nullptr;
    }
}

void ContainerDetailView::ensureView(int index)
{
    if (index < 0 || index >= TabCount || m_id.isEmpty() || m_views[index])
        return;
    QWidget* view = nullptr;
    switch (index) {
    case Logs: {
        auto* logs = new LogsView;
        logs->setObjectName("detailLogs");
        view = logs;
        break;
    }
    case Inspect:
        view = new InspectView(m_engine, InspectView::Kind::Container, m_id, m_name);
        break;
    case Terminal:
        view = new TerminalView(m_engine, m_id, m_name);
        break;
    case Files:
        view = new FilesView(m_engine, m_id, m_name);
        break;
    case Stats:
        view = new ContainerStatsView(m_engine, m_id, m_name);
        break;
    default:
        return;
    }
    m_views[index] = view;
    m_tabs->widget(index)->layout()->addWidget(view);
    if (index == Logs && m_attachLogs)
        m_attachLogs(static_cast<LogsView*>(view), m_id, m_name);
}

void ContainerDetailView::updateHeader()
{
    if (m_id.isEmpty())
        return;
    const auto index = m_model->indexOf(m_id, ContainerModel::State);
    if (!index.isValid()) {
        m_state->setText(tr("removed"));
        m_state->setStyleSheet(QStringLiteral("color: palette(mid); padding: 2px 8px;"));
        return;
    }
    auto colour = index.data(Qt::DecorationRole).value<QColor>();
    if (!colour.isValid())
        colour = palette().color(QPalette::Mid);
    auto fill = colour;
    fill.setAlpha(48);
    m_state->setText(QStringLiteral("● ") + index.data().toString());
    m_state->setStyleSheet(QStringLiteral("QLabel { color: palette(text); background: rgba(%1,%2,%3,%4); "
                                          "border-radius: 9px; padding: 2px 10px; }")
                               .arg(fill.red())
                               .arg(fill.green())
                               .arg(fill.blue())
                               .arg(fill.alpha()));
}

void ContainerDetailView::updateIcons()
{
    const char* names[TabCount] = {"logs", "inspect", "terminal", "files", "stats"};
    for (int tab = 0; tab < TabCount; ++tab)
        m_tabs->setTabIcon(tab, themedIcon(names[tab]));
    m_openWindow->setIcon(themedIcon("window"));
}

void ContainerDetailView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        updateIcons();
}

LogsView* ContainerDetailView::logsView() const
{
    return static_cast<LogsView*>(m_views[Logs].data());
}

InspectView* ContainerDetailView::inspectView() const
{
    return static_cast<InspectView*>(m_views[Inspect].data());
}

TerminalView* ContainerDetailView::terminalView() const
{
    return static_cast<TerminalView*>(m_views[Terminal].data());
}

FilesView* ContainerDetailView::filesView() const
{
    return static_cast<FilesView*>(m_views[Files].data());
}

QWidget* ContainerDetailView::statsView() const
{
    return m_views[Stats].data();
}

} // namespace berth::app
