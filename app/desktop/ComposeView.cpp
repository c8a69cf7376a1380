#include "ComposeView.h"

#include "ContainerModel.h"
#include "Dialogs.h"
#include "EngineService.h"
#include "Format.h"
#include "Theme.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace berth::app {

namespace {

constexpr int kProjectRole = Qt::UserRole + 1;

QString actionWord(ComposeAction action)
{
    switch (action) {
    case ComposeAction::Up:
        return QObject::tr("Starting");
    case ComposeAction::Down:
        return QObject::tr("Taking down");
    case ComposeAction::Restart:
        return QObject::tr("Restarting");
    }
    return {};
}

} // namespace

ComposeView::ComposeView(EngineService* engine, ContainerModel* model, QWidget* parent)
    : QWidget(parent), m_engine(engine), m_model(model)
{
    setObjectName("composeView");
    auto makeButton = [this](const QString& name, const QString& text, const QString& tip) {
        auto* button = new QToolButton(this);
        button->setObjectName(name);
        button->setText(text);
        button->setToolTip(tip);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        return button;
    };
    m_up = makeButton("composeUp", tr("Up"),
                      tr("docker compose up --detach: make and start what the compose file says"));
    m_restart = makeButton("composeRestart", tr("Restart"), tr("docker compose restart"));
    m_logs = makeButton("composeLogs", tr("Logs"),
                        tr("The project's logs, merged, as docker compose logs shows them"));
    m_down = makeButton("composeDown", tr("Down"),
                        tr("docker compose down: stop and remove the project's containers and networks"));
    m_down->setProperty("destructive", true);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName("composeTree");
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels(
        {tr("Project / service"), tr("State"), tr("Ports"), tr("Compose file / container")});
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(Name, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(State, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(Ports, QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(true);
    m_state = new QLabel(this);
    m_state->setObjectName("composeState");
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* bar = new QHBoxLayout;
    auto* title = new QLabel(tr("Compose projects"), this);
    auto titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);
    bar->addWidget(title);
    bar->addStretch(1);
    for (auto* button : {m_up, m_restart, m_logs, m_down})
        bar->addWidget(button);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_state);
    updateIcons();

    // Rebuilt from the containers' model, at most every 100 ms, however many events come.
    m_rebuild.setSingleShot(true);
    m_rebuild.setInterval(100);
    connect(&m_rebuild, &QTimer::timeout, this, &ComposeView::rebuild);
    auto later = [this] {
        m_rebuild.start();
    };
    connect(m_model, &QAbstractItemModel::rowsInserted, this, later);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, later);
    connect(m_model, &QAbstractItemModel::modelReset, this, later);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [later](const QModelIndex& from, const QModelIndex& to) {
                if (from.column() <= ContainerModel::Ports && to.column() >= ContainerModel::State)
                    later();
            });
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this, &ComposeView::updateActions);
    connect(m_up, &QToolButton::clicked, this, [this] { run(selectedProject(), ComposeAction::Up); });
    connect(m_down, &QToolButton::clicked, this, [this] { run(selectedProject(), ComposeAction::Down); });
    connect(m_restart, &QToolButton::clicked, this,
            [this] { run(selectedProject(), ComposeAction::Restart); });
    connect(m_logs, &QToolButton::clicked, this, [this] {
        const auto project = m_projects.value(selectedProject());
        QStringList names;
        for (const auto& service : project.services)
            names << service.container;
        if (!project.services.isEmpty())
            emit projectLogsRequested(project.name, project.containerIds(), names);
    });
    rebuild();
}

QString ComposeView::stateText() const
{
    return m_state->text();
}

void ComposeView::setState(const QString& text, bool error)
{
    m_state->setText(text);
    m_state->setStyleSheet(error ? QStringLiteral("color: %1;").arg(dangerColour().name()) : QString());
}

QString ComposeView::selectedProject() const
{
    const auto selected = m_tree->selectedItems();
    return selected.isEmpty() ? QString() : selected.first()->data(Name, kProjectRole).toString();
}

bool ComposeView::selectProject(const QString& project)
{
    for (int row = 0; row < m_tree->topLevelItemCount(); ++row)
        if (auto* item = m_tree->topLevelItem(row); item->data(Name, kProjectRole).toString() == project) {
            m_tree->setCurrentItem(item);
            return true;
        }
    return false;
}

void ComposeView::rebuild()
{
    const auto selected = selectedProject();
    auto current = composeProjects(m_model->containers());
    // Projects seen before and gone now were taken down: kept, without containers.
    for (auto it = m_projects.cbegin(); it != m_projects.cend(); ++it)
        if (!current.contains(it.key())) {
            auto down = it.value();
            down.services.clear();
            down.running = 0;
            current.insert(it.key(), down);
        }
    m_projects = current;

    m_tree->clear();
    for (const auto& project : std::as_const(m_projects)) {
        auto* top = new QTreeWidgetItem(m_tree);
        top->setText(Name, project.name);
        top->setData(Name, kProjectRole, project.name);
        top->setIcon(Name, m_projectIcon);
        top->setText(State, m_busy.contains(project.name)
                                ? actionWord(m_busy.value(project.name)) + QStringLiteral("…")
                                : project.stateText());
        top->setText(Detail, project.configFiles.join(", "));
        top->setToolTip(Detail, project.workingDir);
        QStringList allPorts;
        for (const auto& service : project.services) {
            auto* child = new QTreeWidgetItem(top);
            child->setText(Name, service.name);
            child->setData(Name, kProjectRole, project.name);
            const auto index = m_model->indexOf(service.containerId, ContainerModel::State);
            child->setText(State, index.isValid() ? index.data().toString() : service.state);
            if (index.isValid())
                child->setForeground(State, index.data(Qt::DecorationRole).value<QColor>());
            const auto ports = index.siblingAtColumn(ContainerModel::Ports).data().toString();
            child->setText(Ports, ports);
            if (!ports.isEmpty())
                allPorts << ports;
            child->setText(Detail, service.container);
        }
        top->setText(Ports, allPorts.join(", "));
        top->setExpanded(true);
    }
    if (!selected.isEmpty())
        selectProject(selected);
    else if (m_tree->topLevelItemCount() > 0)
        m_tree->setCurrentItem(m_tree->topLevelItem(0));
    emit projectsChanged(static_cast<int>(m_projects.size()));
    const auto none =
        tr("No Compose projects. Run `docker compose up` in a project's folder and it shows here.");
    if (m_projects.isEmpty() && m_busy.isEmpty())
        setState(none);
    else if (m_state->text() == none)
        setState({});
    updateActions();
}

void ComposeView::updateActions()
{
    const auto name = selectedProject();
    const bool known = m_projects.contains(name);
    const bool idle = known && !m_busy.contains(name);
    const bool hasContainers = known && !m_projects.value(name).services.isEmpty();
    m_up->setEnabled(idle);
    m_down->setEnabled(idle && hasContainers);
    m_restart->setEnabled(idle && hasContainers);
    m_logs->setEnabled(hasContainers);
}

void ComposeView::run(const QString& name, ComposeAction action)
{
    if (!m_projects.contains(name) || m_busy.contains(name))
        return;
    const auto project = m_projects.value(name);
    QString error;
    const auto command = composeCommand(project, action, &error);
    if (!command) {
        setState(error, true);
        emit actionFinished(name, static_cast<int>(action), error);
        return;
    }
    if (action != ComposeAction::Down) {
        start(project, action, *command);
        return;
    }
    QStringList containers;
    for (const auto& service : project.services)
        containers << service.container;
    auto* box = openConfirmation(
        this, QMessageBox::Warning, "confirmComposeDown", tr("Take down %1").arg(name),
        tr("Take the Compose project %1 down?").arg(name), tr("Down"),
        [this, project, command = *command](QMessageBox*) { start(project, ComposeAction::Down, command); });
    box->setInformativeText(
        tr("docker compose down stops and removes %1 and the project's networks. Its volumes "
           "are kept. Up makes the containers again from the compose file.")
            .arg(containers.join(", ")));
}

void ComposeView::start(const ComposeProject& project, ComposeAction action, const ComposeCommand& command)
{
    m_busy.insert(project.name, action);
    setState(tr("%1 %2: %3…").arg(actionWord(action), project.name, command.text()));
    rebuild();
    runCompose(command, m_engine->dockerHost(), this,
               [this, name = project.name, action](QString error, QString) {
                   m_busy.remove(name);
                   if (error.isEmpty())
                       setState(tr("%1: done.").arg(name));
                   else
                       setState(error, true);
                   rebuild();
                   emit actionFinished(name, static_cast<int>(action), error);
               });
}

void ComposeView::updateIcons()
{
    m_projectIcon = themedIcon("compose"); // drawn once per theme, not per row and rebuild
    m_up->setIcon(themedIcon("start"));
    m_restart->setIcon(themedIcon("restart"));
    m_logs->setIcon(themedIcon("logs"));
    m_down->setIcon(themedIcon("stop"));
}

void ComposeView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        updateIcons();
        rebuild();
    }
}

} // namespace berth::app
