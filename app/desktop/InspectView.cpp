#include "InspectView.h"

#include "EngineService.h"
#include "Format.h"
#include "JsonTreeModel.h"
#include "RunCommand.h"
#include "berth/vm/Diagnostics.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QTabWidget>
#include <QTableWidget>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace berth::app {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QString text(const nlohmann::json& j, const char* key)
{
    if (!j.is_object())
        return {};
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? qs(it->get<std::string>()) : QString();
}

const nlohmann::json& at(const nlohmann::json& j, std::initializer_list<const char*> path)
{
    static const nlohmann::json null;
    const nlohmann::json* node = &j;
    for (const char* key : path) {
        if (!node->is_object())
            return null;
        const auto it = node->find(key);
        if (it == node->end())
            return null;
        node = &*it;
    }
    return *node;
}

// An argument list as a shell would need it typed.
QString commandLine(const nlohmann::json& args)
{
    if (!args.is_array())
        return {};
    QStringList words;
    for (const auto& a : args)
        if (a.is_string())
            words << shellQuote(qs(a.get<std::string>()));
    return words.join(' ');
}

constexpr int kSecretRole = Qt::UserRole + 1;
const QString kHidden = QStringLiteral("•••••••• (click to show)");

} // namespace

QList<QPair<QString, QStringList>> InspectView::summarize(const nlohmann::json& c)
{
    QList<QPair<QString, QStringList>> out;
    const auto& config = at(c, {"Config"});
    const auto& host = at(c, {"HostConfig"});
    auto add = [&out](const QString& title, QStringList lines) {
        if (lines.isEmpty())
            lines << tr("(none)");
        out.append({title, lines});
    };

    add(tr("Image"), {text(config, "Image")});
    add(tr("Command"), {commandLine(at(config, {"Cmd"}))});
    add(tr("Entrypoint"), {commandLine(at(config, {"Entrypoint"}))});
    if (const auto wd = text(config, "WorkingDir"); !wd.isEmpty())
        add(tr("Working folder"), {wd});

    QStringList mounts;
    for (const auto& m : at(c, {"Mounts"})) {
        const auto type = text(m, "Type");
        const auto source = type == "volume" ? text(m, "Name") : text(m, "Source");
        const bool rw = m.value("RW", true);
        mounts << QString("%1 %2 → %3%4").arg(type, source, text(m, "Destination"), rw ? "" : tr(" (read-only)"));
    }
    add(tr("Mounts"), mounts);

    QStringList ports;
    const auto& bound = at(c, {"NetworkSettings", "Ports"});
    if (bound.is_object())
        for (auto it = bound.begin(); it != bound.end(); ++it) {
            if (!it.value().is_array() || it.value().empty()) {
                ports << tr("%1 (not published)").arg(qs(it.key()));
                continue;
            }
            for (const auto& b : it.value())
                ports << QString("%1:%2 → %3").arg(text(b, "HostIp"), text(b, "HostPort"), qs(it.key()));
        }
    add(tr("Ports"), ports);

    QStringList networks;
    const auto& nets = at(c, {"NetworkSettings", "Networks"});
    if (nets.is_object())
        for (auto it = nets.begin(); it != nets.end(); ++it) {
            const auto ip = text(it.value(), "IPAddress");
            networks << (ip.isEmpty() ? qs(it.key()) : QString("%1 (%2)").arg(qs(it.key()), ip));
        }
    add(tr("Networks"), networks);

    QStringList labels;
    const auto& l = at(config, {"Labels"});
    if (l.is_object())
        for (auto it = l.begin(); it != l.end(); ++it)
            labels << QString("%1=%2").arg(qs(it.key()), it.value().is_string() ? qs(it.value().get<std::string>()) : QString());
    add(tr("Labels"), labels);

    const auto& restart = at(host, {"RestartPolicy"});
    auto policy = text(restart, "Name");
    if (policy.isEmpty())
        policy = "no";
    if (policy == "on-failure" && restart.value("MaximumRetryCount", 0) > 0)
        policy += tr(" (at most %1 retries)").arg(restart.value("MaximumRetryCount", 0));
    add(tr("Restart policy"), {policy});

    QStringList health;
    const auto& h = at(c, {"State", "Health"});
    if (h.is_object()) {
        health << tr("Status: %1, failing streak %2").arg(text(h, "Status")).arg(h.value("FailingStreak", 0));
        for (const auto& entry : at(h, {"Log"}))
            health << tr("%1  exit %2  %3")
                          .arg(text(entry, "Start").left(19), QString::number(entry.value("ExitCode", -1)),
                               text(entry, "Output").trimmed().left(200));
    }
    add(tr("Health"), health.isEmpty() ? QStringList{tr("(no health check)")} : health);
    return out;
}

InspectView::InspectView(EngineService* engine, Kind kind, const QString& id, const QString& name,
                         QWidget* parent)
    : QWidget(parent), m_engine(engine), m_kind(kind), m_id(id), m_model(new JsonTreeModel(this))
{
    setObjectName("inspectView");
    const QString kinds[] = {tr("container"), tr("image"), tr("volume"), tr("network")};
    setWindowTitle(tr("Inspect %1 — %2").arg(kinds[static_cast<int>(kind)], name));

    m_search = new QLineEdit(this);
    m_search->setObjectName("inspectSearch");
    m_search->setPlaceholderText(tr("Search keys and values"));
    m_search->setClearButtonEnabled(true);
    m_matches = new QLabel(this);
    m_matches->setObjectName("inspectMatches");
    auto* previous = new QPushButton(tr("↑"), this);
    previous->setObjectName("inspectPrevious");
    previous->setToolTip(tr("Previous match (Shift+Enter)"));
    auto* next = new QPushButton(tr("↓"), this);
    next->setObjectName("inspectNext");
    next->setToolTip(tr("Next match (Enter)"));
    auto* copyValue = new QPushButton(tr("Copy value"), this);
    copyValue->setObjectName("inspectCopyValue");
    auto* copyPath = new QPushButton(tr("Copy path"), this);
    copyPath->setObjectName("inspectCopyPath");
    auto* reload = new QPushButton(tr("Refresh"), this);
    reload->setObjectName("inspectRefresh");

    m_tree = new QTreeView(this);
    m_tree->setObjectName("inspectTree");
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::Key, QHeaderView::Interactive);
    m_tree->header()->resizeSection(JsonTreeModel::Key, 280);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);

    m_error = new QLabel(this);
    m_error->setObjectName("inspectError");
    m_error->setWordWrap(true);
    m_error->setStyleSheet("color: #b3261e");
    m_error->hide();

    auto* jsonPage = new QWidget(this);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_matches);
    bar->addWidget(previous);
    bar->addWidget(next);
    bar->addSpacing(12);
    bar->addWidget(copyValue);
    bar->addWidget(copyPath);
    bar->addWidget(reload);
    auto* jsonLayout = new QVBoxLayout(jsonPage);
    jsonLayout->addLayout(bar);
    jsonLayout->addWidget(m_error);
    jsonLayout->addWidget(m_tree, 1);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName("inspectTabs");
    if (kind == Kind::Container) {
        auto* scroll = new QScrollArea(this);
        scroll->setWidgetResizable(true);
        m_summary = new QWidget(scroll);
        m_summary->setObjectName("inspectSummary");
        m_summaryLayout = new QVBoxLayout(m_summary);
        scroll->setWidget(m_summary);
        m_tabs->addTab(scroll, tr("Summary"));
    }
    if (kind == Kind::Image) {
        auto* page = new QWidget(this);
        m_imageUsers = new QLabel(page);
        m_imageUsers->setObjectName("inspectImageUsers");
        m_imageUsers->setWordWrap(true);
        m_layers = new QTreeWidget(page);
        m_layers->setObjectName("inspectLayers");
        m_layers->setRootIsDecorated(false);
        m_layers->setUniformRowHeights(true);
        m_layers->setHeaderLabels({tr("Size"), tr("Created"), tr("Instruction")});
        m_layers->header()->setStretchLastSection(true);
        auto* hint =
            new QLabel(tr("An image is a stack of read-only layers, one per instruction that changed "
                          "files; the newest is on top. Instructions that only set metadata "
                          "(CMD, ENV, LABEL) add a layer of 0 B."),
                       page);
        hint->setWordWrap(true);
        hint->setForegroundRole(QPalette::PlaceholderText);
        auto* pageLayout = new QVBoxLayout(page);
        pageLayout->addWidget(m_imageUsers);
        pageLayout->addWidget(m_layers, 1);
        pageLayout->addWidget(hint);
        m_tabs->addTab(page, tr("Layers"));
    }
    m_tabs->addTab(jsonPage, tr("Inspect"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);

    connect(m_search, &QLineEdit::textChanged, this, &InspectView::search);
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (QApplication::keyboardModifiers() & Qt::ShiftModifier)
            previousMatch();
        else
            nextMatch();
    });
    connect(previous, &QPushButton::clicked, this, &InspectView::previousMatch);
    connect(next, &QPushButton::clicked, this, &InspectView::nextMatch);
    connect(copyValue, &QPushButton::clicked, this, &InspectView::copyValue);
    connect(copyPath, &QPushButton::clicked, this, &InspectView::copyPath);
    connect(reload, &QPushButton::clicked, this, &InspectView::refresh);
    connect(m_tree, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        if (!m_tree->indexAt(at).isValid())
            return;
        QMenu menu(this);
        menu.addAction(tr("Copy value"), this, &InspectView::copyValue);
        menu.addAction(tr("Copy path"), this, &InspectView::copyPath);
        menu.exec(m_tree->viewport()->mapToGlobal(at));
    });
    auto* find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, this, [this] {
        m_tabs->setCurrentIndex(m_tabs->count() - 1);
        m_search->setFocus();
        m_search->selectAll();
    });
    refresh();
}

template <typename T>
void InspectView::load(std::function<engine::Operation(engine::Client&, engine::Callback<T>)> call)
{
    // Every kind answers with its parsed object, whose `raw` is the inspect JSON.
    m_engine->request<T>(this, std::move(call), [this](engine::Result<T> result) {
        if (!result) {
            const auto error = qs(result.error().message);
            m_error->setText(tr("Cannot inspect: %1").arg(error));
            m_error->show();
            emit loadFinished(false, error);
            return;
        }
        m_error->hide();
        setDocument(result->raw);
        emit loadFinished(true, {});
    });
}

void InspectView::refresh()
{
    const auto id = m_id.toStdString();
    switch (m_kind) {
    case Kind::Container:
        load<engine::Container>([id](engine::Client& c, auto done) { return c.inspectContainer(id, std::move(done)); });
        break;
    case Kind::Image:
        load<engine::Image>([id](engine::Client& c, auto done) { return c.inspectImage(id, std::move(done)); });
        loadLayers();
        break;
    case Kind::Volume:
        load<engine::Volume>([id](engine::Client& c, auto done) { return c.inspectVolume(id, std::move(done)); });
        break;
    case Kind::Network:
        load<engine::Network>([id](engine::Client& c, auto done) { return c.inspectNetwork(id, std::move(done)); });
        break;
    }
}

void InspectView::loadLayers()
{
    const auto id = m_id.toStdString();
    m_engine->request<std::vector<engine::ImageHistoryEntry>>(
        this,
        [id](engine::Client& c, engine::Callback<std::vector<engine::ImageHistoryEntry>> done) {
            return c.imageHistory(id, std::move(done));
        },
        [this](engine::Result<std::vector<engine::ImageHistoryEntry>> history) {
            m_layers->clear();
            if (!history) {
                m_imageUsers->setText(tr("Cannot read the layers: %1").arg(qs(history.error().message)));
                return;
            }
            for (const auto& layer : *history) {
                auto* item = new QTreeWidgetItem(
                    m_layers,
                    {bytesText(static_cast<quint64>(std::max<std::int64_t>(0, layer.size))),
                     agoText(layer.created),
                     // docker import leaves no instruction, only its comment
                     layer.createdBy.empty() ? qs(layer.comment) : layerInstruction(qs(layer.createdBy))});
                item->setTextAlignment(0, Qt::AlignRight | Qt::AlignVCenter);
                item->setToolTip(2, qs(layer.createdBy));
                item->setToolTip(1, timeText(layer.created));
            }
            m_layers->resizeColumnToContents(0);
            m_layers->resizeColumnToContents(1);
        });
    engine::ListContainersOptions users;
    users.all = true;
    users.filters = {{"ancestor", {id}}};
    m_engine->request<std::vector<engine::Container>>(
        this,
        [users](engine::Client& c, engine::Callback<std::vector<engine::Container>> done) {
            return c.listContainers(users, std::move(done));
        },
        [this](engine::Result<std::vector<engine::Container>> containers) {
            if (!containers)
                return; // the layers' answer says what is wrong
            QStringList names;
            for (const auto& c : *containers)
                names << qs(c.name);
            names.sort();
            m_imageUsers->setText(
                names.isEmpty()
                    ? tr("No container uses this image.")
                    : tr("Used by %1: %2")
                          .arg(countText(names.size(), tr("container"), tr("containers")), names.join(", ")));
        });
}

void InspectView::setDocument(nlohmann::json document)
{
    if (m_kind == Kind::Container)
        buildSummary(document);
    m_model->setDocument(std::move(document));
    m_tree->expandToDepth(0);
    m_loaded = true;
    if (!m_search->text().isEmpty())
        search(m_search->text());
}

void InspectView::buildSummary(const nlohmann::json& container)
{
    while (auto* item = m_summaryLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_env = nullptr;
    auto heading = [this](const QString& title) {
        auto* label = new QLabel("<b>" + title.toHtmlEscaped() + "</b>", m_summary);
        m_summaryLayout->addWidget(label);
    };
    const auto sections = summarize(container);
    for (int i = 0; i < sections.size(); ++i) {
        heading(sections[i].first);
        auto* body = new QLabel(sections[i].second.join('\n'), m_summary);
        body->setTextInteractionFlags(Qt::TextSelectableByMouse);
        body->setWordWrap(true);
        body->setIndent(12);
        m_summaryLayout->addWidget(body);
    }

    heading(tr("Environment"));
    m_env = new QTableWidget(m_summary);
    m_env->setObjectName("inspectEnv");
    m_env->setColumnCount(2);
    m_env->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    m_env->horizontalHeader()->setStretchLastSection(true);
    m_env->verticalHeader()->hide();
    m_env->setEditTriggers(QAbstractItemView::NoEditTriggers);
    const auto& env = at(container, {"Config", "Env"});
    for (const auto& entry : env) {
        if (!entry.is_string())
            continue;
        const auto line = qs(entry.get<std::string>());
        const auto eq = line.indexOf('=');
        const auto key = eq < 0 ? line : line.left(eq);
        const auto value = eq < 0 ? QString() : line.mid(eq + 1);
        const int row = m_env->rowCount();
        m_env->insertRow(row);
        m_env->setItem(row, 0, new QTableWidgetItem(key));
        auto* cell = new QTableWidgetItem(value);
        if (vm::looksSecret(key.toStdString()) && !value.isEmpty()) {
            cell->setText(kHidden);
            cell->setData(kSecretRole, value);
            cell->setToolTip(tr("Hidden because the name looks like a secret; click to show or hide"));
        }
        m_env->setItem(row, 1, cell);
    }
    m_env->resizeColumnToContents(0);
    m_env->setMinimumHeight(std::min(400, 30 + 26 * m_env->rowCount()));
    connect(m_env, &QTableWidget::cellClicked, this, [this](int row, int column) {
        auto* cell = m_env->item(row, column);
        if (column != 1 || !cell || !cell->data(kSecretRole).isValid())
            return;
        cell->setText(cell->text() == kHidden ? cell->data(kSecretRole).toString() : kHidden);
    });
    m_summaryLayout->addWidget(m_env);
    m_summaryLayout->addStretch(1);
}

QString InspectView::matchText() const
{
    if (m_search->text().isEmpty())
        return {};
    if (m_found.isEmpty())
        return tr("No matches");
    return tr("%1 of %2").arg(m_current + 1).arg(m_found.size());
}

void InspectView::search(const QString& text)
{
    if (m_search->text() != text) {
        m_search->setText(text); // searches through textChanged
        return;
    }
    m_found = m_model->find(text);
    m_current = -1;
    if (!m_found.isEmpty())
        selectMatch(0);
    m_matches->setText(matchText());
}

void InspectView::selectMatch(int index)
{
    if (m_found.isEmpty())
        return;
    m_current = (index % m_found.size() + m_found.size()) % m_found.size();
    const auto& found = m_found[m_current];
    for (auto up = found.parent(); up.isValid(); up = up.parent())
        m_tree->expand(up);
    m_tree->setCurrentIndex(found);
    m_tree->scrollTo(found);
    m_matches->setText(matchText());
}

void InspectView::nextMatch()
{
    selectMatch(m_current + 1);
}

void InspectView::previousMatch()
{
    selectMatch(m_current - 1);
}

QString InspectView::currentPath() const
{
    return m_tree->currentIndex().data(JsonTreeModel::PathRole).toString();
}

QString InspectView::currentValue() const
{
    return m_tree->currentIndex().data(JsonTreeModel::CopyValueRole).toString();
}

void InspectView::copyValue()
{
    if (m_tree->currentIndex().isValid())
        QApplication::clipboard()->setText(currentValue());
}

void InspectView::copyPath()
{
    if (m_tree->currentIndex().isValid())
        QApplication::clipboard()->setText(currentPath());
}

} // namespace berth::app
