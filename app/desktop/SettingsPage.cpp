#include "SettingsPage.h"

#include "AgentService.h"
#include "Autostart.h"
#include "DesktopPrefs.h"
#include "Dialogs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace berth::app {

namespace {

enum ShareColumn
{
    SharePath,
    ShareReadOnly,
};

QSpinBox* numberBox(const char* name, int max, const QString& suffix, QWidget* parent)
{
    auto* box = new QSpinBox(parent);
    box->setObjectName(name);
    // Wider than any host allows: a number out of range can be typed, and Apply says why it
    // does not fit rather than the box silently refusing the keystroke.
    box->setRange(1, max);
    box->setSuffix(suffix);
    box->setAccelerated(true);
    return box;
}

QLabel* hintLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

// A row of the form: the box, and the range this host allows beside it.
QWidget* withHint(QWidget* field, QLabel* hint, QWidget* parent)
{
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(field);
    layout->addWidget(hint, 1);
    return row;
}

// Settings' messages name the settings.json field; the form's name for it goes in front.
QString withFieldLabel(const std::string& message)
{
    static const std::pair<const char*, const char*> kLabels[] = {
        {"'cpus'", QT_TRANSLATE_NOOP("berth::app::SettingsPage", "CPUs")},
        {"'memory_mib'", QT_TRANSLATE_NOOP("berth::app::SettingsPage", "Memory")},
        {"'disk_gib'", QT_TRANSLATE_NOOP("berth::app::SettingsPage", "Data disk")},
        {"'port_bind_address'", QT_TRANSLATE_NOOP("berth::app::SettingsPage", "Published ports")},
        {"'share_transport'", QT_TRANSLATE_NOOP("berth::app::SettingsPage", "Shared folders")},
        {"'http_proxy'", QT_TRANSLATE_NOOP("berth::app::SettingsPage", "HTTP proxy")},
        {"'https_proxy'", QT_TRANSLATE_NOOP("berth::app::SettingsPage", "HTTPS proxy")},
        {"'no_proxy'", QT_TRANSLATE_NOOP("berth::app::SettingsPage", "No proxy for")},
    };
    // "'memory_mib' is 9999999 MiB; it must be …" becomes "Memory: 9999999 MiB; it must be …".
    const auto text = QString::fromStdString(message);
    for (const auto& [field, label] : kLabels) {
        const QString quoted = QLatin1String(field);
        if (!text.startsWith(quoted))
            continue;
        auto rest = text.mid(quoted.size());
        if (rest.startsWith(" is "))
            rest = rest.mid(4);
        return QCoreApplication::translate("berth::app::SettingsPage", label) + ": " + rest.trimmed();
    }
    return text;
}

// checkShares' messages end with advice for the command line; here the list above is the place.
QString shareMessage(const std::string& message)
{
    auto text = QString::fromStdString(message);
    const QString cliHint = "; change 'shares' in settings.json or use `berth shares`";
    if (text.endsWith(cliHint))
        text.chop(cliHint.size());
    return QCoreApplication::translate("berth::app::SettingsPage", "Shared folders: %1").arg(text);
}

} // namespace

SettingsPage::SettingsPage(AgentService* agent, QWidget* parent) : QWidget(parent), m_agent(agent)
{
    setObjectName("settingsPage");
    const auto limits = vm::Settings::limits();

    auto* content = new QWidget;
    auto* sections = new QVBoxLayout(content);

    auto* resources = new QGroupBox(tr("Resources"), content);
    auto* resourceForm = new QFormLayout(resources);
    m_cpus = numberBox("settingsCpus", 1024, {}, resources);
    m_memory = numberBox("settingsMemory", 16777216, tr(" MiB"), resources);
    m_disk = numberBox("settingsDisk", 65536, tr(" GiB"), resources);
    m_cpuHint = hintLabel(resources);
    m_cpuHint->setObjectName("settingsCpusHint");
    m_cpuHint->setText(tr("from %1 to %2 on this computer").arg(limits.minCpus).arg(limits.maxCpus));
    m_memoryHint = hintLabel(resources);
    m_memoryHint->setObjectName("settingsMemoryHint");
    m_memoryHint->setText(
        tr("from %1 to %2 MiB on this computer").arg(limits.minMemoryMiB).arg(limits.maxMemoryMiB));
    m_diskHint = hintLabel(resources);
    m_diskHint->setObjectName("settingsDiskHint");
    resourceForm->addRow(tr("CPUs:"), withHint(m_cpus, m_cpuHint, resources));
    resourceForm->addRow(tr("Memory:"), withHint(m_memory, m_memoryHint, resources));
    resourceForm->addRow(tr("Data disk:"), withHint(m_disk, m_diskHint, resources));
    sections->addWidget(resources);

    auto* sharing = new QGroupBox(tr("Shared folders"), content);
    auto* sharingLayout = new QVBoxLayout(sharing);
    auto* sharingHint = hintLabel(sharing);
    sharingHint->setText(tr("The VM sees these folders at the same paths, so `docker run -v /path:…` works "
                            "with them unchanged."));
    m_shares = new QTableWidget(0, 2, sharing);
    m_shares->setObjectName("settingsShares");
    m_shares->setHorizontalHeaderLabels({tr("Folder"), tr("Read-only")});
    m_shares->horizontalHeader()->setSectionResizeMode(SharePath, QHeaderView::Stretch);
    m_shares->horizontalHeader()->setSectionResizeMode(ShareReadOnly, QHeaderView::ResizeToContents);
    m_shares->verticalHeader()->hide();
    m_shares->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_shares->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_shares->setMinimumHeight(120);
    auto* addShareButton = new QPushButton(tr("Add…"), sharing);
    addShareButton->setObjectName("settingsAddShare");
    m_removeShare = new QPushButton(tr("Remove"), sharing);
    m_removeShare->setObjectName("settingsRemoveShare");
    m_removeShare->setEnabled(false);
    auto* shareButtons = new QHBoxLayout;
    shareButtons->addWidget(addShareButton);
    shareButtons->addWidget(m_removeShare);
    shareButtons->addStretch();
    sharingLayout->addWidget(sharingHint);
    sharingLayout->addWidget(m_shares);
    sharingLayout->addLayout(shareButtons);
    sections->addWidget(sharing);

    auto* network = new QGroupBox(tr("Network"), content);
    auto* networkForm = new QFormLayout(network);
    m_bindAddress = new QComboBox(network);
    m_bindAddress->setObjectName("settingsBindAddress");
    m_bindAddress->addItem(tr("This computer only (127.0.0.1)"), QString("127.0.0.1"));
    m_bindAddress->addItem(tr("Every network interface (0.0.0.0)"), QString("0.0.0.0"));
    auto* bindHint = hintLabel(network);
    bindHint->setText(tr("Where ports that containers publish are opened. Every interface lets other "
                         "computers on your networks reach them."));
    networkForm->addRow(tr("Published ports:"), m_bindAddress);
    networkForm->addRow(QString(), bindHint);
    m_hostAccess = new QCheckBox(tr("Containers can reach this computer as host.docker.internal"), network);
    m_hostAccess->setObjectName("settingsHostAccess");
    m_hostAccess->setToolTip(tr("Also gateway.docker.internal and --add-host NAME:host-gateway. This exposes every "
                                "service on this computer's loopback to every container."));
    networkForm->addRow(tr("Host access:"), m_hostAccess);
    m_hostRegistries = new QCheckBox(tr("Use registries on this computer without TLS (localhost:PORT)"), network);
    m_hostRegistries->setObjectName("settingsHostRegistries");
    networkForm->addRow(tr("Registries:"), m_hostRegistries);
    m_httpProxy = new QLineEdit(network);
    m_httpProxy->setObjectName("settingsHttpProxy");
    m_httpProxy->setPlaceholderText(tr("from the environment when empty, e.g. http://proxy.example:3128"));
    m_httpsProxy = new QLineEdit(network);
    m_httpsProxy->setObjectName("settingsHttpsProxy");
    m_noProxy = new QLineEdit(network);
    m_noProxy->setObjectName("settingsNoProxy");
    m_noProxy->setPlaceholderText(tr("comma-separated names, e.g. .corp.example,10.0.0.0/8"));
    networkForm->addRow(tr("HTTP proxy:"), m_httpProxy);
    networkForm->addRow(tr("HTTPS proxy:"), m_httpsProxy);
    networkForm->addRow(tr("No proxy for:"), m_noProxy);
    sections->addWidget(network);

    auto* images = new QGroupBox(tr("Images"), content);
    auto* imagesLayout = new QVBoxLayout(images);
    m_containerdStore = new QCheckBox(tr("Use containerd for pulling and storing images"), images);
    m_containerdStore->setObjectName("settingsContainerdStore");
    auto* storeHint = hintLabel(images);
    storeHint->setText(tr("Multi-platform images and `docker buildx build --platform linux/amd64,linux/arm64` "
                          "need it. Each store keeps its own images and containers: switching hides those of "
                          "the other until you switch back, and deletes nothing."));
    imagesLayout->addWidget(m_containerdStore);
    imagesLayout->addWidget(storeHint);
    sections->addWidget(images);

    auto* startup = new QGroupBox(tr("Startup"), content);
    auto* startupLayout = new QVBoxLayout(startup);
    m_autostart = new QCheckBox(tr("Start Berth when I log in"), startup);
    m_autostart->setObjectName("settingsAutostart");
    m_startEngine = new QCheckBox(tr("Start the engine when Berth starts"), startup);
    m_startEngine->setObjectName("settingsStartEngine");
    startupLayout->addWidget(m_autostart);
    startupLayout->addWidget(m_startEngine);
    sections->addWidget(startup);
    sections->addStretch();

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);

    m_message = new QLabel(this);
    m_message->setObjectName("settingsMessage");
    m_message->setWordWrap(true);
    m_message->setTextFormat(Qt::PlainText); // messages quote paths
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_unsaved = new QLabel(tr("\u25cf Unsaved changes"), this);
    m_unsaved->setObjectName("settingsUnsaved");
    m_unsaved->setToolTip(tr("Apply saves them; Revert goes back to what is saved."));
    m_unsaved->hide();
    m_revert = new QPushButton(tr("Revert"), this);
    m_revert->setObjectName("settingsRevert");
    m_apply = new QPushButton(tr("Apply"), this);
    m_apply->setObjectName("settingsApply");
    m_apply->setDefault(true);
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_message, 1);
    bar->addWidget(m_unsaved);
    bar->addWidget(m_revert);
    bar->addWidget(m_apply);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addLayout(bar);

    connect(addShareButton, &QPushButton::clicked, this, &SettingsPage::chooseShare);
    connect(m_removeShare, &QPushButton::clicked, this, &SettingsPage::removeShares);
    connect(m_shares->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_removeShare->setEnabled(m_shares->selectionModel()->hasSelection()); });
    connect(m_revert, &QPushButton::clicked, this, &SettingsPage::reload);
    connect(m_apply, &QPushButton::clicked, this, &SettingsPage::apply);

    // Every edit marks the form unsaved until Apply or Revert; a number out of this computer's
    // range is marked on its field as it is typed.
    auto edited = [this] {
        setUnsaved(true);
    };
    for (auto* box : {m_cpus, m_memory, m_disk})
        connect(box, &QSpinBox::valueChanged, this, [this, edited] {
            edited();
            markRanges();
        });
    for (auto* check : {m_hostAccess, m_hostRegistries, m_containerdStore, m_autostart, m_startEngine})
        connect(check, &QCheckBox::toggled, this, edited);
    for (auto* line : {m_httpProxy, m_httpsProxy, m_noProxy})
        connect(line, &QLineEdit::textEdited, this, edited);
    connect(m_bindAddress, &QComboBox::activated, this, edited);
    connect(m_shares, &QTableWidget::itemChanged, this, edited);
    connect(m_shares->model(), &QAbstractItemModel::rowsInserted, this, edited);
    connect(m_shares->model(), &QAbstractItemModel::rowsRemoved, this, edited);

    reload();
}

void SettingsPage::setUnsaved(bool unsaved)
{
    if (m_loading)
        return;
    m_isUnsaved = unsaved;
    m_unsaved->setVisible(unsaved);
    m_revert->setEnabled(unsaved);
}

void SettingsPage::markRanges()
{
    const auto limits = vm::Settings::limits();
    const int floor = std::max(limits.minDiskGiB, dataDiskFloor());
    auto mark = [](QSpinBox* box, QLabel* hint, bool bad) {
        QPalette boxPalette; // empty: the style's own colours
        QPalette hintPalette;
        if (bad) {
            boxPalette.setColor(QPalette::Text, QColor(0xd3, 0x2f, 0x2f));
            hintPalette.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
            hintPalette.setColor(QPalette::PlaceholderText, QColor(0xd3, 0x2f, 0x2f));
        }
        box->setPalette(boxPalette);
        hint->setPalette(hintPalette);
        box->setProperty("outOfRange", bad);
        hint->setForegroundRole(bad ? QPalette::WindowText : QPalette::PlaceholderText);
    };
    mark(m_cpus, m_cpuHint, m_cpus->value() < limits.minCpus || m_cpus->value() > limits.maxCpus);
    mark(m_memory, m_memoryHint,
         m_memory->value() < limits.minMemoryMiB || m_memory->value() > limits.maxMemoryMiB);
    mark(m_disk, m_diskHint, m_disk->value() < floor || m_disk->value() > limits.maxDiskGiB);
}

void SettingsPage::reload()
{
    m_loading = true;
    const auto& instance = m_agent->instance();
    QStringList problems;
    vm::Settings settings;
    if (auto loaded = instance.loadSettings())
        settings = loaded.value();
    else
        problems << tr("%1. The form shows the defaults; Apply replaces the file.")
                        .arg(QString::fromStdString(loaded.error().message));

    m_cpus->setValue(settings.cpus);
    m_memory->setValue(settings.memoryMiB);
    m_disk->setValue(settings.diskGiB);
    m_shares->setRowCount(0);
    for (const auto& share : settings.shares)
        addShare(QString::fromStdString(share.path), share.readOnly);
    m_shares->clearSelection();
    const int bind = m_bindAddress->findData(QString::fromStdString(settings.portBindAddress));
    m_bindAddress->setCurrentIndex(bind < 0 ? 0 : bind);
    m_hostAccess->setChecked(settings.hostAccess);
    m_hostRegistries->setChecked(settings.hostRegistries);
    m_httpProxy->setText(QString::fromStdString(settings.httpProxy));
    m_httpsProxy->setText(QString::fromStdString(settings.httpsProxy));
    m_noProxy->setText(QString::fromStdString(settings.noProxy));
    m_containerdStore->setChecked(settings.containerdImageStore);

    const auto prefs = DesktopPrefs::load(instance);
    if (!prefs.loadError.isEmpty())
        problems << prefs.loadError;
    m_startEngine->setChecked(prefs.startEngine);
    m_autostart->setChecked(Autostart::enabled());
    updateDiskHint();
    setMessage(problems.join('\n'), !problems.isEmpty());
    m_loading = false;
    setUnsaved(false);
    markRanges();
}

void SettingsPage::addShare(const QString& path, bool readOnly)
{
    if (path.isEmpty())
        return;
    const auto plain = QString::fromStdString(vm::Settings::plainPath(QDir::fromNativeSeparators(path).toStdString()));
    for (int row = 0; row < m_shares->rowCount(); ++row) {
        if (m_shares->item(row, SharePath)->text() == plain) {
            m_shares->selectRow(row);
            return;
        }
    }
    const int row = m_shares->rowCount();
    m_shares->insertRow(row);
    auto* pathItem = new QTableWidgetItem(plain);
    pathItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    pathItem->setToolTip(plain);
    auto* readOnlyItem = new QTableWidgetItem;
    readOnlyItem->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    readOnlyItem->setCheckState(readOnly ? Qt::Checked : Qt::Unchecked);
    readOnlyItem->setToolTip(tr("Containers and the VM can read the folder but not change it"));
    m_shares->setItem(row, SharePath, pathItem);
    m_shares->setItem(row, ShareReadOnly, readOnlyItem);
}

QString SettingsPage::message() const
{
    return m_message->text();
}

void SettingsPage::chooseShare()
{
    // Not the static getExistingDirectory(): it would block in a nested event loop.
    auto* dialog = new QFileDialog(this, tr("Share a folder with the VM"), QDir::homePath());
    dialog->setObjectName("settingsShareDialog");
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) { addShare(path, false); });
    dialog->open();
}

void SettingsPage::removeShares()
{
    auto rows = m_shares->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() > b.row(); });
    for (const auto& index : rows)
        m_shares->removeRow(index.row());
}

vm::Settings SettingsPage::formSettings(const vm::Settings& base) const
{
    auto settings = base; // keeps what the form does not show (the share transport)
    settings.cpus = m_cpus->value();
    settings.memoryMiB = m_memory->value();
    settings.diskGiB = m_disk->value();
    settings.shares.clear();
    for (int row = 0; row < m_shares->rowCount(); ++row)
        settings.shares.push_back({m_shares->item(row, SharePath)->text().toStdString(),
                                   m_shares->item(row, ShareReadOnly)->checkState() == Qt::Checked});
    settings.portBindAddress = m_bindAddress->currentData().toString().toStdString();
    settings.hostAccess = m_hostAccess->isChecked();
    settings.hostRegistries = m_hostRegistries->isChecked();
    settings.containerdImageStore = m_containerdStore->isChecked();
    settings.httpProxy = m_httpProxy->text().trimmed().toStdString();
    settings.httpsProxy = m_httpsProxy->text().trimmed().toStdString();
    settings.noProxy = m_noProxy->text().trimmed().toStdString();
    return settings;
}

int SettingsPage::dataDiskFloor() const
{
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(m_agent->instance().dataDisk(), ec);
    if (ec)
        return 0; // none yet, or deleted by a reset: any size is a fresh start
    return static_cast<int>((bytes + (std::uintmax_t(1) << 30) - 1) >> 30);
}

void SettingsPage::updateDiskHint()
{
    const auto limits = vm::Settings::limits();
    auto text = tr("from %1 to %2 GiB on this computer").arg(limits.minDiskGiB).arg(limits.maxDiskGiB);
    if (const int floor = dataDiskFloor(); floor > 0)
        text += tr("; the data disk is %1 GiB now and only grows").arg(floor);
    m_diskHint->setText(text);
}

void SettingsPage::apply()
{
    for (auto* box : {m_cpus, m_memory, m_disk})
        box->interpretText();
    const auto& instance = m_agent->instance();
    auto loaded = instance.loadSettings();
    const auto saved = loaded ? loaded.value() : vm::Settings{};
    const auto wanted = formSettings(saved);

    // Every problem at once, not only the first: each range on its own against values that
    // surely fit (the host's minimums), then the disk, then the shares.
    QStringList errors;
    const auto limits = vm::Settings::limits();
    vm::Settings fits;
    fits.cpus = limits.minCpus;
    fits.memoryMiB = limits.minMemoryMiB;
    fits.diskGiB = limits.minDiskGiB;
    fits.shares.clear();
    fits.portBindAddress = wanted.portBindAddress;
    fits.shareTransport = wanted.shareTransport;
    fits.httpProxy = wanted.httpProxy;
    fits.httpsProxy = wanted.httpsProxy;
    fits.noProxy = wanted.noProxy;
    if (auto valid = fits.validate(); !valid)
        errors << withFieldLabel(valid.error().message);
    for (auto field : {&vm::Settings::cpus, &vm::Settings::memoryMiB, &vm::Settings::diskGiB}) {
        auto probe = fits;
        probe.*field = wanted.*field;
        if (auto valid = probe.validate(); !valid)
            errors << withFieldLabel(valid.error().message);
    }
    if (const int floor = dataDiskFloor(); wanted.diskGiB < floor)
        errors << tr("The data disk is %1 GiB and only grows; to start over with a smaller disk use "
                     "Troubleshoot → Reset to factory defaults")
                      .arg(floor);
    if (auto shares = vm::Settings::checkShares(wanted.shares); !shares)
        errors << shareMessage(shares.error().message);
    if (errors.isEmpty()) {
        if (auto valid = wanted.validate(); !valid) // anything the checks above do not cover
            errors << withFieldLabel(valid.error().message);
    }
    if (!errors.isEmpty()) {
        setMessage(errors.join('\n'), true);
        return;
    }

    // Switching the image store hides what the other one holds: the user confirms it first.
    if (wanted.containerdImageStore != saved.containerdImageStore && !m_storeSwitchConfirmed) {
        const auto store = wanted.containerdImageStore ? tr("containerd") : tr("classic");
        openConfirmation(this, QMessageBox::Warning, "confirmImageStore", tr("Switch the image store"),
                         tr("With the %1 image store the engine shows only the images and containers kept "
                            "there. Those you have now stay on the disk, hidden until you switch back; "
                            "volumes are shared.")
                             .arg(store),
                         tr("Switch"), [this](QMessageBox*) {
                             m_storeSwitchConfirmed = true;
                             apply();
                             m_storeSwitchConfirmed = false;
                         });
        setMessage(tr("Not saved yet: confirm the switch of the image store."), false);
        return;
    }

    const bool vmChanged = !loaded || !(wanted == saved);
    if (vmChanged) {
        if (auto written = instance.saveSettings(wanted); !written) {
            setMessage(QString::fromStdString(written.error().message), true);
            return;
        }
    }
    QStringList failures;
    auto prefs = DesktopPrefs::load(instance);
    if (!prefs.loadError.isEmpty() || prefs.startEngine != m_startEngine->isChecked()) {
        prefs.startEngine = m_startEngine->isChecked();
        if (auto error = prefs.save(instance); !error.isEmpty())
            failures << error;
    }
    // Written again when on, so the entry follows the app if it moved.
    if (m_autostart->isChecked() || Autostart::enabled()) {
        if (auto error = Autostart::setEnabled(m_autostart->isChecked(), QCoreApplication::applicationFilePath());
            !error.isEmpty())
            failures << error;
    }
    if (!failures.isEmpty()) {
        setMessage((vmChanged ? tr("The VM settings were saved, but: %1") : tr("Not saved: %1"))
                       .arg(failures.join("; ")),
                   true);
        return;
    }
    updateDiskHint();
    setUnsaved(false);

    const bool running = m_agent->status().state == vm::EngineState::Running;
    if (!vmChanged)
        setMessage(tr("Saved."), false);
    else if (!running)
        setMessage(tr("Saved. The engine uses the new settings when it next starts."), false);
    else
        setMessage(tr("Saved. The engine uses the new settings when it restarts."), false);
    emit applied();

    if (vmChanged && running) {
        auto* box = openConfirmation(
            this, QMessageBox::Question, "confirmRestart", tr("Restart the engine"),
            tr("Restart the engine now to apply? Running containers stop and start again as their restart "
               "policies say; images, containers and volumes are kept."),
            tr("Restart"), [this](QMessageBox*) {
                setMessage(tr("Saved. Restarting the engine…"), false);
                m_agent->restartEngine();
            });
        if (auto* later = box->button(QMessageBox::Cancel)) {
            later->setText(tr("Later"));
            later->setObjectName("confirmRestartLater");
        }
    }
}

void SettingsPage::setMessage(const QString& text, bool error)
{
    auto palette = this->palette();
    if (error)
        palette.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
    m_message->setPalette(palette);
    m_message->setText(text);
}

} // namespace berth::app
